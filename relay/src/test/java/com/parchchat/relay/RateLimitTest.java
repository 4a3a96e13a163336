package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-IP and per-account throttles and the per-session caps, each answered with {@code rate_limited}. */
class RateLimitTest {
  @TempDir Path dir;

  @Test
  void perIpAndPerAccountLimits() throws Exception {
    try (TestRelay relay = TestRelay.start(dir, Map.of(
        "limits.registerPerIpPerHour", 2,
        "limits.loginPerIpPerMinute", 6,
        "limits.loginFailuresPerAccount", 2,
        "limits.hostRegisterPerIpPerHour", 1))) {
      Api api = relay.api;
      api.register("quota1", "quota password");
      api.register("quota2", "quota password");
      Api.Res third = api.post("/api/v1/accounts",
          Map.of("username", "quota3", "email", "q@example.test", "password", "quota password"), null);
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.code()).isEqualTo("rate_limited");

      // two failures lock the account for a while, even for the right password
      for (int i = 0; i < 2; i++) {
        assertThat(api.post("/api/v1/sessions", Map.of("username", "quota1", "password", "wrong guess"), null).code())
            .isEqualTo("unauthorized");
      }
      assertThat(api.post("/api/v1/sessions", Map.of("username", "QUOTA1", "password", "quota password"), null).code())
          .isEqualTo("rate_limited");
      // another account from the same address still logs in, until the per-IP budget is spent
      api.login("quota2", "quota password");
      api.login("quota2", "quota password");
      api.login("quota2", "quota password");
      assertThat(api.post("/api/v1/sessions", Map.of("username", "quota2", "password", "quota password"), null).code())
          .isEqualTo("rate_limited");

      new TestHost(relay, "first host");
      Api.Res host = api.post("/api/v1/hosts",
          Map.of("name", "second", "publicKey", Base64.getEncoder().encodeToString(
              KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded())), null);
      assertThat(host.code()).isEqualTo("rate_limited");
    }
  }

  @Test
  void pendingRequestsAndSubscriptionsPerSessionAreCapped() throws Exception {
    try (TestRelay relay = TestRelay.start(dir, Map.of(
        "limits.maxPendingRequestsPerSession", 3,
        "limits.maxSubscriptionsPerSession", 2))) {
      TestHost host = new TestHost(relay, "Caps");
      try (WsClient h = host.connect(relay); WsClient c = relay.client(relay.userToken("capped"))) {
        c.sendJson(Map.of("type", "attach", "host", host.id));
        c.expect("host.status");
        String session = h.expect("session.open").get("session").asText();
        for (int i = 0; i < 3; i++) {
          c.sendJson(Map.of("type", "request", "host", host.id, "id", "p" + i, "body", Map.of("type", "x")));
          h.expect("request");
        }
        c.sendJson(Map.of("type", "request", "host", host.id, "id", "p3", "body", Map.of("type", "x")));
        assertThat(c.expectError("rate_limited").get("id").asText()).isEqualTo("p3");

        h.sendJson(Map.of("type", "subscribe", "session", session, "topics", List.of("a", "b", "c")));
        assertThat(h.expect("error").get("code").asText()).isEqualTo("too_large");
      }
    }
  }
}
