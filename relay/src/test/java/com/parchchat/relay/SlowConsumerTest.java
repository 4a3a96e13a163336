package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session that stops reading is disconnected at the write-buffer high water mark; others still get everything. */
class SlowConsumerTest {
  @TempDir Path dir;

  @Test
  void slowReaderIsDroppedAndFastReaderGetsEveryEvent() throws Exception {
    try (TestRelay relay = TestRelay.start(dir, Map.of(
        "limits.writeBufferLowBytes", 16 * 1024,
        "limits.writeBufferHighBytes", 64 * 1024,
        "limits.maxQueuedBytes", 1024 * 1024,
        "limits.slowConsumerGraceMillis", 2000))) {
      TestHost host = new TestHost(relay, "Firehose");
      try (WsClient h = host.connect(relay);
          WsClient fast = relay.client(relay.userToken("fast"));
          WsClient slow = relay.client(relay.userToken("slow"))) {
        for (WsClient c : List.of(fast, slow)) {
          c.sendJson(Map.of("type", "attach", "host", host.id));
          c.expect("host.status");
          String session = h.expect("session.open").get("session").asText();
          h.sendJson(Map.of("type", "subscribe", "session", session, "topics", List.of("firehose")));
        }
        slow.pause();
        String pad = "x".repeat(32 * 1024);
        int maxEvents = 1000;
        int batch = 10;
        int published = 0;
        // publish until the relay has dropped the slow reader (bounded), checking after each batch
        while (published < maxEvents && !relay.api.text("/metrics").contains("parch_relay_slow_consumers_dropped_total 1.0")) {
          for (int j = published; j < published + batch; j++) {
            h.sendJson(Map.of("type", "publish", "topic", "firehose", "body", Map.of("type", "blob", "n", j, "pad", pad)));
          }
          // a healthy reader: bursts above the high water mark are absorbed, nothing is lost
          for (int j = published; j < published + batch; j++) {
            assertThat(fast.expect("event").get("body").get("n").asInt()).isEqualTo(j);
          }
          published += batch;
        }
        // the fast reader keeps getting everything after the slow one is gone
        h.sendJson(Map.of("type", "publish", "topic", "firehose", "body", Map.of("type", "blob", "n", published)));
        assertThat(fast.expect("event").get("body").get("n").asInt()).isEqualTo(published);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(relay.api.text("/metrics")).contains("parch_relay_slow_consumers_dropped_total 1.0");
          assertThat(relay.api.get("/healthz", null).body().get("clients").asInt()).isEqualTo(1);
        });
      }
    }
  }
}
