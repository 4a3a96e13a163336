package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket liveness: quiet peers are pinged; peers that answer stay, silent ones are closed. */
class IdleTimeoutTest {
  @TempDir Path dir;

  @Test
  void answeringPeersStayAndSilentOnesAreClosed() throws Exception {
    try (TestRelay relay = TestRelay.start(dir, Map.of(
        "limits.pingIntervalSeconds", 1, "limits.idleTimeoutSeconds", 3))) {
      String token = relay.userToken("idler");
      try (WsClient answering = relay.client(token); WsClient silent = relay.client(token)) {
        // the JDK client answers pings with pongs; the paused one reads nothing, so it never does
        silent.pause();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(relay.api.get("/healthz", null).body().get("clients").asInt()).isEqualTo(1));
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
            .until(() -> !answering.closed.isDone());
        answering.sendJson(Map.of("type", "ping"));
        answering.expect("pong");
      }
    }
  }
}
