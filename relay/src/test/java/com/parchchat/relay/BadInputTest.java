package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus: each bad frame gets its documented error code, the connection stays up
 * (except where the relay documents a disconnect), and another session keeps being served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  @TempDir static Path dir;
  TestRelay relay;
  TestHost host;
  WsClient hostWs;
  String token;
  WsClient bystander;
  String bystanderSession;

  @BeforeAll
  void start() throws Exception {
    relay = TestRelay.start(dir, Map.of(
        "limits.maxFrameBytes", 4096,
        "limits.hardMaxFrameBytes", 16384,
        "limits.messagesPerSecond", 20,
        "limits.messageBurst", 40,
        "limits.floodDisconnectAfter", 100));
    host = new TestHost(relay, "Target");
    hostWs = host.connect(relay);
    token = relay.userToken("mallory");
    bystander = relay.client(relay.userToken("bystander"));
    bystander.sendJson(Map.of("type", "attach", "host", host.id));
    bystander.expect("host.status");
    bystanderSession = hostWs.expect("session.open").get("session").asText();
  }

  @AfterAll
  void stop() {
    if (bystander != null) {
      bystander.close();
    }
    if (hostWs != null) {
      hostWs.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  static Stream<Arguments> badFrames() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"type\":\"attach\",", "bad_request"),
        Arguments.of("not an object", "[1,2,3]", "bad_request"),
        Arguments.of("bare string", "\"hello\"", "bad_request"),
        Arguments.of("unknown type", "{\"type\":\"teleport\"}", "bad_request"),
        Arguments.of("missing type", "{\"host\":\"x\"}", "bad_request"),
        Arguments.of("missing field", "{\"type\":\"request\",\"host\":\"h\",\"id\":\"1\"}", "bad_request"),
        Arguments.of("body not object", "{\"type\":\"request\",\"host\":\"h\",\"id\":\"1\",\"body\":5}", "bad_request"),
        Arguments.of("trailing data", "{\"type\":\"ping\"} {}", "bad_request"),
        Arguments.of("deep nesting", "{\"type\":\"ping\",\"x\":" + "[".repeat(200) + "]".repeat(200) + "}", "bad_request"),
        Arguments.of("oversize frame", "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}", "too_large"),
        Arguments.of("unknown host", "{\"type\":\"attach\",\"host\":\"h_nope\",\"id\":\"a1\"}", "not_found"),
        Arguments.of("request without attach", "{\"type\":\"request\",\"host\":\"h_nope\",\"id\":\"1\",\"body\":{}}", "bad_request"),
        Arguments.of("second hello", "{\"type\":\"hello\",\"token\":\"x\"}", "bad_request"),
        Arguments.of("detach unattached", "{\"type\":\"detach\",\"host\":\"h_nope\"}", "bad_request"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFrames")
  void eachBadFrameGetsItsErrorAndTheConnectionStaysUp(String name, String frame, String code) throws Exception {
    try (WsClient c = relay.client(token)) {
      c.send(frame);
      c.expectError(code);
      c.sendJson(Map.of("type", "ping"));
      c.expect("pong");
    }
    assertBystanderServed();
  }

  @Test
  void binaryFramesAreRefused() throws Exception {
    try (WsClient c = relay.client(token)) {
      c.sendBinary(new byte[] {1, 2, 3});
      c.expectError("bad_request");
      c.sendJson(Map.of("type", "ping"));
      c.expect("pong");
    }
  }

  @Test
  void framesBeyondTheHardLimitCloseTheConnection() throws Exception {
    try (WsClient c = relay.client(token)) {
      c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(20000) + "\"}");
      assertThat(c.awaitClose().code()).isEqualTo(1009);
    }
    assertBystanderServed();
  }

  @Test
  void wrongMissingAndExpiredTokens() throws Exception {
    try (WsClient c = WsClient.connect(relay.wsUrl("/ws/client"))) {
      c.sendJson(Map.of("type", "attach", "host", host.id));
      c.expectError("unauthorized");
      c.sendJson(Map.of("type", "hello", "token", "wrong-token"));
      c.expectError("unauthorized");
      c.sendJson(Map.of("type", "hello", "token", "x".repeat(300)));
      c.expectError("unauthorized");
      c.sendJson(Map.of("type", "hello", "token", "still-wrong"));
      c.expectError("unauthorized");
      assertThat(c.awaitClose().reason()).contains("failed hello");
    }
    String expiring = relay.api.login("mallory", "secret-password-1").get("token").asText();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay.db"));
        Statement s = db.createStatement()) {
      s.executeUpdate("UPDATE sessions SET expires_at = 1 WHERE token_hash = '"
          + com.parchchat.relay.account.Tokens.hash(expiring) + "'");
    }
    try (WsClient c = WsClient.connect(relay.wsUrl("/ws/client"))) {
      c.sendJson(Map.of("type", "hello", "token", expiring));
      assertThat(c.expectError("unauthorized").get("message").asText()).contains("expired");
    }
    assertThat(relay.api.get("/api/v1/account", expiring).code()).isEqualTo("unauthorized");
    assertBystanderServed();
  }

  @Test
  void revokedSessionsLoseTheirLiveConnections() throws Exception {
    String t = relay.api.login("mallory", "secret-password-1").get("token").asText();
    try (WsClient c = relay.client(t)) {
      assertThat(relay.api.post("/api/v1/sessions/logout", null, t).status()).isEqualTo(204);
      assertThat(c.awaitClose().reason()).contains("revoked");
    }
  }

  @Test
  void requestIdsMustBeUniqueWhilePending() throws Exception {
    try (WsClient c = relay.client(token)) {
      c.sendJson(Map.of("type", "attach", "host", host.id));
      c.expect("host.status");
      hostWs.expect("session.open");
      c.sendJson(Map.of("type", "request", "host", host.id, "id", "dup", "body", Map.of("type", "x")));
      hostWs.expect("request");
      c.sendJson(Map.of("type", "request", "host", host.id, "id", "dup", "body", Map.of("type", "x")));
      c.expectError("conflict");
    }
    hostWs.await("session.closed");
  }

  @Test
  void floodsAreRateLimitedThenDisconnected() throws Exception {
    try (WsClient c = relay.client(token)) {
      for (int i = 0; i < 60; i++) {
        c.sendJson(Map.of("type", "ping"));
      }
      c.await("error");
      for (int i = 0; i < 200 && !c.closed.isDone(); i++) {
        c.sendJson(Map.of("type", "ping"));
      }
      WsClient.Closed closed = c.awaitClose();
      assertThat(closed.code()).isEqualTo(1008);
      assertThat(closed.reason()).contains("flood");
    }
    assertBystanderServed();
  }

  @Test
  void badHostFramesGetErrorsAndTheHostStaysConnected() throws Exception {
    hostWs.send("{oops");
    assertThat(hostWs.expect("error").get("code").asText()).isEqualTo("bad_request");
    hostWs.send("{\"type\":\"reply\",\"session\":\"c_x\",\"id\":\"1\",\"body\":{}}");
    assertThat(hostWs.expect("error").get("code").asText()).isEqualTo("not_found");
    hostWs.send("{\"type\":\"host.auth\",\"hostId\":\"x\",\"signature\":\"y\"}");
    assertThat(hostWs.expect("error").get("code").asText()).isEqualTo("bad_request");
    hostWs.send("{\"type\":\"voice.authorize\",\"session\":\"" + bystanderSession + "\",\"id\":\"nope\",\"room\":\"r\",\"canSpeak\":true}");
    assertThat(hostWs.expect("error").get("code").asText()).isEqualTo("not_found");
    assertBystanderServed();
  }

  private void assertBystanderServed() {
    String id = "b" + System.nanoTime();
    bystander.sendJson(Map.of("type", "request", "host", host.id, "id", id, "body", Map.of("type", "x")));
    JsonNode req = hostWs.await("request");
    assertThat(req.get("id").asText()).isEqualTo(id);
    hostWs.sendJson(Map.of("type", "reply", "session", bystanderSession, "id", id, "body", Map.of("type", "ok")));
    assertThat(bystander.await("reply").get("id").asText()).isEqualTo(id);
  }
}
