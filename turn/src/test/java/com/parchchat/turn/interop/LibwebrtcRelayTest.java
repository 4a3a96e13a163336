package com.parchchat.turn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.testkit.webrtc.ToneBot;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two libwebrtc peers (webrtc-java, headless) with ICE transport policy RELAY through our
 * server only — one over UDP, one over TCP: each hears the other's tone at the right frequency.
 */
class LibwebrtcRelayTest {

  @Test
  void relayOnlyBotsHearEachOtherThroughOurServer() throws Exception {
    try (InProcessTurn turn = new InProcessTurn()) {
      Credentials ca = turn.credentials("alice");
      Credentials cb = turn.credentials("bob");
      try (ToneBot a = ToneBot.builder("alice").tone(440).relayOnly(true)
              .turn(turn.url("udp"), ca.username(), ca.password()).build();
          ToneBot b = ToneBot.builder("bob").tone(660).relayOnly(true)
              .turn(turn.url("tcp"), cb.username(), cb.password()).build()) {
        String offer = a.createOffer();
        assertThat(offer).contains("typ relay").doesNotContain("typ host");
        a.applyAnswer(b.acceptOffer(offer));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(a.heardFrequencies(440, 660)).containsExactly(660.0);
          assertThat(b.heardFrequencies(440, 660)).containsExactly(440.0);
        });
        assertThat(a.stats().selectedPair()).hasValueSatisfying(p -> {
          assertThat(p.localType()).isEqualTo("relay");
          assertThat(p.relayProtocol()).isEqualTo("udp");
        });
        assertThat(b.stats().selectedPair()).hasValueSatisfying(p -> {
          assertThat(p.localType()).isEqualTo("relay");
          assertThat(p.relayProtocol()).isEqualTo("tcp");
        });
      }
      assertThat(turn.server.metrics().packetsToPeer.sum()).isGreaterThan(20);
      assertThat(turn.server.metrics().packetsToClient.sum()).isGreaterThan(20);
    }
  }
}
