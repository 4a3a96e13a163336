package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host registration and the Ed25519 challenge-response on /ws/host. */
class HostAuthTest {
  @TempDir Path dir;
  TestRelay relay;

  @BeforeEach
  void start() throws Exception {
    relay = TestRelay.start(dir);
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void registerAcceptsRawAndX509KeysAndRefusesBadOnes() throws Exception {
    byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    String raw = Base64.getEncoder().encodeToString(Arrays.copyOfRange(x509, 12, 44));
    Api.Res ok = relay.api.post("/api/v1/hosts", Map.of("name", "Raw", "publicKey", raw), null);
    assertThat(ok.status()).isEqualTo(201);
    String id = ok.body().get("hostId").asText();
    assertThat(id).startsWith("h_");

    Api.Res again = relay.api.post("/api/v1/hosts",
        Map.of("name", "Same key", "publicKey", Base64.getEncoder().encodeToString(x509)), null);
    assertThat(again.code()).isEqualTo("conflict");
    assertThat(relay.api.post("/api/v1/hosts", Map.of("name", "Bad", "publicKey", "AAAA"), null).code())
        .isEqualTo("bad_request");
    assertThat(relay.api.post("/api/v1/hosts", Map.of("name", "Bad", "publicKey", "***"), null).code())
        .isEqualTo("bad_request");
    assertThat(relay.api.post("/api/v1/hosts", Map.of("name", "", "publicKey", raw), null).code())
        .isEqualTo("bad_request");

    JsonNode lookup = relay.api.get("/api/v1/hosts/" + id, null).body();
    assertThat(lookup.get("name").asText()).isEqualTo("Raw");
    assertThat(lookup.get("online").asBoolean()).isFalse();
    assertThat(relay.api.get("/api/v1/hosts/h_nothing", null).status()).isEqualTo(404);
  }

  @Test
  void validSignatureIsAcceptedAndASecondConnectionReplacesTheFirst() throws Exception {
    TestHost host = new TestHost(relay, "Twice");
    try (WsClient first = host.connect(relay); WsClient second = host.connect(relay)) {
      WsClient.Closed closed = first.awaitClose();
      assertThat(closed.code()).isEqualTo(1008);
      assertThat(closed.reason()).contains("replaced");
      assertThat(relay.api.get("/api/v1/hosts/" + host.id, null).body().get("online").asBoolean()).isTrue();
      second.sendJson(Map.of("type", "user.lookup", "id", "x", "username", "nobody"));
      second.expect("user.lookup.result");
    }
  }

  @Test
  void forgedSignatureIsRefused() throws Exception {
    TestHost host = new TestHost(relay, "Victim");
    TestHost attacker = new TestHost(relay, "Attacker");
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      String nonce = ws.expect("host.challenge").get("nonce").asText();
      ws.sendJson(Map.of("type", "host.auth", "hostId", host.id, "signature", attacker.sign(host.id, nonce)));
      ws.expectError("unauthorized");
      assertThat(ws.awaitClose().code()).isEqualTo(1008);
    }
    assertThat(relay.api.get("/api/v1/hosts/" + host.id, null).body().get("online").asBoolean()).isFalse();
  }

  @Test
  void replayedSignatureIsRefused() throws Exception {
    TestHost host = new TestHost(relay, "Replay");
    String captured;
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      String nonce = ws.expect("host.challenge").get("nonce").asText();
      captured = host.sign(host.id, nonce);
      ws.sendJson(Map.of("type", "host.auth", "hostId", host.id, "signature", captured));
      ws.expect("host.ready");
    }
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      ws.expect("host.challenge");
      ws.sendJson(Map.of("type", "host.auth", "hostId", host.id, "signature", captured));
      ws.expectError("unauthorized");
      ws.awaitClose();
    }
  }

  @Test
  void signatureForAnotherHostIdOrWrongFramesAreRefused() throws Exception {
    TestHost a = new TestHost(relay, "A");
    TestHost b = new TestHost(relay, "B");
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      String nonce = ws.expect("host.challenge").get("nonce").asText();
      // a's key signing the payload for b's id: the payload binds the id, so it fails for b
      ws.sendJson(Map.of("type", "host.auth", "hostId", b.id, "signature", a.sign(a.id, nonce)));
      ws.expectError("unauthorized");
      ws.awaitClose();
    }
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      ws.expect("host.challenge");
      ws.sendJson(Map.of("type", "publish", "topic", "t", "body", Map.of("type", "x")));
      ws.expectError("unauthorized");
      ws.awaitClose();
    }
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      ws.expect("host.challenge");
      ws.sendJson(Map.of("type", "host.auth", "hostId", "h_unknown", "signature", "AAAA"));
      ws.expectError("unauthorized");
      ws.awaitClose();
    }
    try (WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"))) {
      ws.expect("host.challenge");
      ws.sendJson(Map.of("type", "host.auth", "hostId", a.id, "signature", "not base64!"));
      ws.expectError("unauthorized");
      ws.awaitClose();
    }
    String metrics = relay.api.text("/metrics");
    assertThat(metrics).containsPattern("parch_relay_auth_failures_total\\{kind=\"host\"\\} [4-9]");
  }

  @Test
  void silentHostIsDisconnectedAfterTheAuthDeadline() throws Exception {
    try (TestRelay quick = TestRelay.start(dir.resolve("quick"), Map.of("limits.hostAuthTimeoutSeconds", 1));
        WsClient ws = WsClient.connect(quick.wsUrl("/ws/host"))) {
      ws.expect("host.challenge");
      WsClient.Closed closed = ws.awaitClose();
      assertThat(closed.reason()).contains("authentication timeout");
    }
  }
}
