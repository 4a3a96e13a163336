package com.parchchat.turn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.testkit.chromium.ChromiumPeer;
import com.parchchat.testkit.chromium.ChromiumStats;
import com.parchchat.testkit.webrtc.IceServer;
import com.parchchat.testkit.webrtc.ToneBot;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium in a relay-only call through our server with a libwebrtc bot (also
 * relay-only): Chromium receives and decodes the bot's audio (getStats inbound-rtp packets
 * and audio energy), and the selected candidate pair is a relay.
 */
class ChromiumRelayTest {

  @Test
  void chromiumRelayOnlyCallThroughOurServer() throws Exception {
    try (InProcessTurn turn = new InProcessTurn()) {
      Credentials cc = turn.credentials("chromium");
      Credentials cb = turn.credentials("bot");
      try (ChromiumPeer chromium = ChromiumPeer.launch(Duration.ofSeconds(40));
          ToneBot bot = ToneBot.builder("bot").tone(440).relayOnly(true)
              .turn(turn.url("udp"), cb.username(), cb.password()).build()) {
        chromium.createPeerConnection(List.of(IceServer.turn(turn.url("udp"), cc.username(), cc.password())), true,
            true);
        String offer = chromium.createOffer();
        assertThat(offer).contains("typ relay").doesNotContain("typ host");
        chromium.applyAnswer(bot.acceptOffer(offer));

        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
          ChromiumStats s = chromium.stats();
          assertThat(s.connectionState()).isEqualTo("connected");
          assertThat(s.totalPacketsReceived()).isGreaterThan(50);
          assertThat(s.totalAudioEnergy()).isGreaterThan(0);
        });
        assertThat(chromium.stats().selectedPair()).hasValueSatisfying(p -> assertThat(p.localType())
            .isEqualTo("relay"));
        assertThat(bot.stats().totalPacketsReceived()).isPositive();
      }
      assertThat(turn.server.metrics().allocationsCreated.sum()).isGreaterThanOrEqualTo(2);
    }
  }
}
