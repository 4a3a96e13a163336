package com.parchchat.e2e.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.e2e.support.Spaces;
import com.parchchat.protocol.api.Channel;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst larger than the host's default per-user rate (burst 20, then 5/s): the host answers
 * {@code rate_limited}, the outbox pauses and re-sends with the same nonces, and every message is
 * stored exactly once, in order.
 */
class ClientRateLimitE2ETest {
  @TempDir Path dir;

  @Test
  void burstBeyondTheHostRateLimitIsDeliveredExactlyOnce() throws Exception {
    try (ParchStack stack = ParchStack.builder(dir).host("Default Limits").start();
        ParchClient c = new ParchClient(ClientConfig.defaults(dir.resolve("cfg")).withDefaultRelay(stack.relayUrl()))) {
      c.register(stack.relayUrl(), "dana", "Dana", "dana@example.org", "password-dana").get(20, TimeUnit.SECONDS);
      HostSession h = c.addHost(stack.hostKey());
      await().atMost(Duration.ofSeconds(30)).until(() -> h.phase().get() == HostSession.Phase.READY);
      SpaceState s = h.createSpace("Busy").get(10, TimeUnit.SECONDS);
      Channel ch = Spaces.textChannel(h, s);
      h.openChannel(ch.id()).get(10, TimeUnit.SECONDS);
      int total = 35;
      for (int i = 0; i < total; i++) {
        h.send(ch.id(), "burst " + i, null);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> h.pendingSends() == 0);
      List<ChatLine> lines = h.log(ch.id()).lines();
      assertThat(lines).hasSize(total).noneMatch(ChatLine::pending);
      for (int i = 0; i < total; i++) {
        assertThat(lines.get(i).message().content()).isEqualTo("burst " + i);
      }
    }
  }
}
