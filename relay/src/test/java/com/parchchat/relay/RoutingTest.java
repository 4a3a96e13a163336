package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.parchchat.protocol.voice.SfuTokenClaims;
import com.parchchat.protocol.voice.TurnRestCredentials;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client ↔ relay ↔ host routing over real WebSockets on loopback. */
class RoutingTest {
  @TempDir Path dir;
  TestRelay relay;
  HttpServer sfuAdmin;
  final BlockingQueue<String[]> sfuKicks = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    // records the relay's calls to the SFU admin API (the SFU module implements the real one)
    sfuAdmin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sfuAdmin.createContext("/admin/rooms/", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        sfuKicks.add(new String[] {
          ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestHeaders().getFirst("Authorization"),
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
        });
      }
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    sfuAdmin.start();
    relay = TestRelay.start(dir, Map.of(
        "limits.requestTimeoutMillis", 500,
        "voice.sfuAdminUrl", "http://127.0.0.1:" + sfuAdmin.getAddress().getPort(),
        "voice.turnUrls", List.of("turn:127.0.0.1:3478?transport=udp")));
  }

  @AfterEach
  void stop() {
    relay.close();
    sfuAdmin.stop(0);
  }

  @Test
  void helloAttachRequestReply() throws Exception {
    TestHost host = new TestHost(relay, "Home");
    String token = relay.userToken("alice");
    try (WsClient h = host.connect(relay); WsClient c = WsClient.connect(relay.wsUrl("/ws/client"))) {
      c.sendJson(Map.of("type", "hello", "token", token));
      JsonNode welcome = c.expect("welcome");
      assertThat(welcome.get("user").get("username").asText()).isEqualTo("alice");
      String session = welcome.get("session").asText();

      c.sendJson(Map.of("type", "attach", "host", host.id));
      JsonNode status = c.expect("host.status");
      assertThat(status.get("online").asBoolean()).isTrue();
      assertThat(status.get("name").asText()).isEqualTo("Home");
      JsonNode open = h.expect("session.open");
      assertThat(open.get("session").asText()).isEqualTo(session);
      assertThat(open.get("user").get("username").asText()).isEqualTo("alice");

      c.sendJson(Map.of("type", "request", "host", host.id, "id", "r1", "body", Map.of("type", "space.list")));
      JsonNode req = h.expect("request");
      assertThat(req.get("user").get("username").asText()).isEqualTo("alice");
      assertThat(req.get("session").asText()).isEqualTo(session);
      assertThat(req.get("body").get("type").asText()).isEqualTo("space.list");

      h.sendJson(Map.of("type", "reply", "session", session, "id", "r1", "body", Map.of("type", "ok")));
      JsonNode reply = c.expect("reply");
      assertThat(reply.get("host").asText()).isEqualTo(host.id);
      assertThat(reply.get("id").asText()).isEqualTo("r1");
      assertThat(reply.get("body").get("type").asText()).isEqualTo("ok");

      // a second reply to the same id is not routed
      h.sendJson(Map.of("type", "reply", "session", session, "id", "r1", "body", Map.of("type", "ok")));
      assertThat(h.expect("error").get("code").asText()).isEqualTo("not_found");

      c.sendJson(Map.of("type", "ping"));
      c.expect("pong");

      c.sendJson(Map.of("type", "detach", "host", host.id));
      assertThat(h.expect("session.closed").get("session").asText()).isEqualTo(session);
      c.sendJson(Map.of("type", "request", "host", host.id, "id", "r2", "body", Map.of("type", "space.list")));
      assertThat(c.expectError("bad_request").get("id").asText()).isEqualTo("r2");
    }
  }

  @Test
  void publishFansOutToSubscribersOnly() throws Exception {
    TestHost host = new TestHost(relay, "Fan");
    String t1 = relay.userToken("user1");
    String t2 = relay.userToken("user2");
    String t3 = relay.userToken("user3");
    try (WsClient h = host.connect(relay); WsClient a = relay.client(t1); WsClient b = relay.client(t2);
        WsClient c = relay.client(t3)) {
      String sa = attach(a, h, host);
      String sb = attach(b, h, host);
      attach(c, h, host);
      h.sendJson(Map.of("type", "subscribe", "session", sa, "topics", List.of("space:1")));
      h.sendJson(Map.of("type", "subscribe", "session", sb, "topics", List.of("space:1", "space:2")));
      h.sendJson(Map.of("type", "publish", "topic", "space:1", "body", Map.of("type", "message.created", "n", 1)));
      for (WsClient x : List.of(a, b)) {
        JsonNode ev = x.expect("event");
        assertThat(ev.get("topic").asText()).isEqualTo("space:1");
        assertThat(ev.get("host").asText()).isEqualTo(host.id);
        assertThat(ev.get("body").get("n").asInt()).isEqualTo(1);
      }
      h.sendJson(Map.of("type", "unsubscribe", "session", sb, "topics", List.of("space:1")));
      h.sendJson(Map.of("type", "publish", "topic", "space:1", "body", Map.of("type", "message.created", "n", 2)));
      h.sendJson(Map.of("type", "publish", "topic", "space:2", "body", Map.of("type", "message.created", "n", 3)));
      assertThat(a.expect("event").get("body").get("n").asInt()).isEqualTo(2);
      assertThat(b.expect("event").get("body").get("n").asInt()).isEqualTo(3);
      c.expectSilence(300);

      // send: one session; notify: every session of a user, attached or not
      h.sendJson(Map.of("type", "send", "session", sa, "body", Map.of("type", "typing")));
      assertThat(a.expect("notification").get("body").get("type").asText()).isEqualTo("typing");
      String userC = relay.api.get("/api/v1/account", t3).body().get("userId").asText();
      try (WsClient c2 = relay.client(relay.api.login("user3", "secret-password-1").get("token").asText())) {
        h.sendJson(Map.of("type", "notify", "user", userC, "body", Map.of("type", "invite.received")));
        assertThat(c.expect("notification").get("host").asText()).isEqualTo(host.id);
        assertThat(c2.expect("notification").get("body").get("type").asText()).isEqualTo("invite.received");
      }
      b.expectSilence(200);
    }
  }

  /**
   * A burst: the relay's outbox writes events queued in a row as one buffer per connection; every
   * subscriber must still get every event exactly once, in order, and a {@code send} to one session
   * between events must arrive exactly between them.
   */
  @Test
  void burstsOfEventsArriveCompleteAndInOrderWithSendsBetween() throws Exception {
    TestHost host = new TestHost(relay, "Burst");
    try (WsClient h = host.connect(relay); WsClient a = relay.client(relay.userToken("burst1"));
        WsClient b = relay.client(relay.userToken("burst2"))) {
      String sa = attach(a, h, host);
      String sb = attach(b, h, host);
      h.sendJson(Map.of("type", "subscribe", "session", sa, "topics", List.of("room")));
      h.sendJson(Map.of("type", "subscribe", "session", sb, "topics", List.of("room")));
      int events = 400;
      for (int i = 0; i < events; i++) {
        h.send("{\"type\":\"publish\",\"topic\":\"room\",\"body\":{\"type\":\"tick\",\"n\":" + i
            + ",\"pad\":\"" + "x".repeat(i % 7 == 0 ? 300 : 20) + "\"}}");
        if (i % 50 == 25) {
          h.send("{\"type\":\"send\",\"session\":\"" + sa + "\",\"body\":{\"type\":\"after\",\"n\":" + i + "}}");
        }
      }
      int expectNext = 0;
      for (int seen = 0; seen < events + events / 50; seen++) {
        JsonNode f = a.next();
        if (f.path("type").asText().equals("notification")) {
          assertThat(f.get("body").get("n").asInt()).isEqualTo(expectNext - 1);
        } else {
          assertThat(f.path("type").asText()).isEqualTo("event");
          assertThat(f.get("body").get("n").asInt()).isEqualTo(expectNext++);
        }
      }
      for (int i = 0; i < events; i++) {
        assertThat(b.expect("event").get("body").get("n").asInt()).isEqualTo(i);
      }
      a.expectSilence(200);
      b.expectSilence(10);
      String metrics = relay.api.text("/metrics");
      assertThat(metrics).containsPattern("parch_relay_deliveries_total [0-9.E]+");
      double deliveries = Double.parseDouble(metrics.replaceAll("(?s).*parch_relay_deliveries_total ([0-9.E]+).*", "$1"));
      assertThat(deliveries).isEqualTo(2.0 * events);
    }
  }

  @Test
  void offlineHostsUnansweredRequestsAndStatusChanges() throws Exception {
    TestHost host = new TestHost(relay, "Flaky");
    String token = relay.userToken("bob");
    try (WsClient c = relay.client(token)) {
      c.sendJson(Map.of("type", "attach", "host", host.id));
      assertThat(c.expect("host.status").get("online").asBoolean()).isFalse();
      c.sendJson(Map.of("type", "request", "host", host.id, "id", "q1", "body", Map.of("type", "x")));
      assertThat(c.expectError("host_offline").get("id").asText()).isEqualTo("q1");
      assertThat(relay.api.get("/api/v1/hosts/" + host.id, null).body().get("online").asBoolean()).isFalse();

      WsClient h = host.connect(relay);
      assertThat(c.expect("host.status").get("online").asBoolean()).isTrue();
      h.expect("session.open");
      assertThat(relay.api.get("/api/v1/hosts/" + host.id, null).body().get("online").asBoolean()).isTrue();

      c.sendJson(Map.of("type", "request", "host", host.id, "id", "q2", "body", Map.of("type", "x")));
      h.expect("request");
      JsonNode unavailable = c.expectError("unavailable");
      assertThat(unavailable.get("id").asText()).isEqualTo("q2");

      c.sendJson(Map.of("type", "request", "host", host.id, "id", "q3", "body", Map.of("type", "x")));
      h.expect("request");
      h.close();
      JsonNode offline = c.next();
      JsonNode next = c.next();
      // the pending request fails with host_offline and the status change arrives, in either order
      assertThat(List.of(offline.get("type").asText(), next.get("type").asText()))
          .containsExactlyInAnyOrder("error", "host.status");
      JsonNode err = offline.get("type").asText().equals("error") ? offline : next;
      assertThat(err.get("code").asText()).isEqualTo("host_offline");
      assertThat(err.get("id").asText()).isEqualTo("q3");
    }
  }

  @Test
  void voiceAuthorizeMintsGrantAndKickRemovesFromSfu() throws Exception {
    TestHost host = new TestHost(relay, "Voice");
    String token = relay.userToken("vera");
    try (WsClient h = host.connect(relay); WsClient c = relay.client(token)) {
      String session = attach(c, h, host);
      c.sendJson(Map.of("type", "request", "host", host.id, "id", "v1",
          "body", Map.of("type", "voice.join", "channelId", "ch7")));
      h.expect("request");
      h.sendJson(Map.of("type", "voice.authorize", "session", session, "id", "v1", "room", "ch7", "canSpeak", true));
      JsonNode reply = c.expect("reply");
      assertThat(reply.get("id").asText()).isEqualTo("v1");
      JsonNode grant = reply.get("body");
      assertThat(grant.get("type").asText()).isEqualTo("voice.grant");
      assertThat(grant.get("room").asText()).isEqualTo(host.id + ":ch7");
      assertThat(grant.get("sfuUrl").asText()).isEqualTo("ws://127.0.0.1:7880/ws");

      Properties secrets = new Properties();
      try (InputStream in = Files.newInputStream(dir.resolve("dev-secrets.properties"))) {
        secrets.load(in);
      }
      SignedJWT jwt = SignedJWT.parse(grant.get("token").asText());
      assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
      assertThat(jwt.verify(new MACVerifier(secrets.getProperty("sfuSecret").getBytes(StandardCharsets.UTF_8)))).isTrue();
      var claims = jwt.getJWTClaimsSet();
      String userId = relay.api.get("/api/v1/account", token).body().get("userId").asText();
      assertThat(claims.getSubject()).isEqualTo(userId);
      assertThat(claims.getStringClaim(SfuTokenClaims.ROOM)).isEqualTo(host.id + ":ch7");
      assertThat(claims.getStringClaim(SfuTokenClaims.NAME)).isEqualTo("The vera");
      assertThat(claims.getBooleanClaim(SfuTokenClaims.SPEAK)).isTrue();
      assertThat(claims.getIssuer()).isEqualTo(SfuTokenClaims.ISSUER);
      assertThat(claims.getAudience()).containsExactly(SfuTokenClaims.AUDIENCE);
      assertThat(claims.getExpirationTime().getTime()).isEqualTo(grant.get("expiresAt").asLong());

      JsonNode turn = grant.get("turn");
      String turnUser = turn.get("username").asText();
      assertThat(turnUser).endsWith(":" + userId);
      assertThat(turn.get("password").asText())
          .isEqualTo(TurnRestCredentials.password(secrets.getProperty("turnSecret"), turnUser));
      assertThat(turn.get("urls").get(0).asText()).isEqualTo("turn:127.0.0.1:3478?transport=udp");

      // a kick detaches the session and removes the user from the SFU room
      h.sendJson(Map.of("type", "session.kick", "session", session, "reason", "banned"));
      assertThat(c.expectError("forbidden").get("message").asText()).contains("banned");
      String[] call = sfuKicks.poll(10, TimeUnit.SECONDS);
      assertThat(call).isNotNull();
      assertThat(call[0]).isEqualTo("POST");
      assertThat(call[1]).isEqualTo("/admin/rooms/" + host.id + ":ch7/kick");
      assertThat(call[2]).isEqualTo("Bearer " + secrets.getProperty("sfuAdminSecret"));
      assertThat(Api.JSON.readTree(call[3]).get("userId").asText()).isEqualTo(userId);
      c.sendJson(Map.of("type", "request", "host", host.id, "id", "v2", "body", Map.of("type", "x")));
      c.expectError("bad_request");
    }
  }

  @Test
  void userLookupAndUnknownSessions() throws Exception {
    TestHost host = new TestHost(relay, "Lookup");
    relay.userToken("Zed");
    try (WsClient h = host.connect(relay)) {
      h.sendJson(Map.of("type", "user.lookup", "id", "l1", "username", "zed"));
      JsonNode r = h.expect("user.lookup.result");
      assertThat(r.get("id").asText()).isEqualTo("l1");
      assertThat(r.get("user").get("username").asText()).isEqualTo("Zed");
      h.sendJson(Map.of("type", "user.lookup", "id", "l2", "username", "nobody"));
      JsonNode none = h.expect("user.lookup.result");
      assertThat(none.has("user")).isFalse();

      h.sendJson(Map.of("type", "send", "session", "c_unknown", "body", Map.of("type", "x")));
      h.expect("error");
      h.sendJson(Map.of("type", "subscribe", "session", "c_unknown", "topics", List.of("space:1")));
      assertThat(h.expect("error").get("code").asText()).isEqualTo("not_found");
      h.send("{\"type\":\"publish\",\"topic\":\"t\"}");
      assertThat(h.expect("error").get("code").asText()).isEqualTo("bad_request");
    }
  }

  @Test
  @SuppressWarnings("try") // the connections only need to exist while the metrics are read
  void healthAndMetrics() throws Exception {
    TestHost host = new TestHost(relay, "Metrics");
    try (WsClient h = host.connect(relay); WsClient c = relay.client(relay.userToken("mia"))) {
      assertThat(relay.api.get("/healthz", null).body().get("status").asText()).isEqualTo("ok");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        String metrics = relay.api.text("/metrics");
        assertThat(metrics).contains("parch_relay_client_connections 1.0");
        assertThat(metrics).contains("parch_relay_host_connections 1.0");
        assertThat(metrics).contains("parch_relay_frames_in_total");
        assertThat(metrics).contains("parch_relay_deliveries_total");
        assertThat(metrics).contains("parch_relay_slow_consumers_dropped_total");
        assertThat(metrics).contains("parch_relay_auth_failures_total{kind=\"host\"}");
      });
    }
  }

  private static String attach(WsClient c, WsClient h, TestHost host) {
    c.sendJson(Map.of("type", "attach", "host", host.id));
    c.expect("host.status");
    return h.expect("session.open").get("session").asText();
  }
}
