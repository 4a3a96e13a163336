package com.parchchat.testkit.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.testkit.webrtc.RtcStatsSummary;
import com.parchchat.testkit.webrtc.ToneBot;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two libwebrtc bots with ICE transport policy RELAY, through Debian's coturn on loopback. */
class RelayOnlyToneBotTest {

    @Test
    void relayOnlyBotsHearEachOtherThroughCoturn() {
        try (Coturn coturn = Coturn.start("s3cret-for-tests", "parch.test")) {
            TurnCredentials ca = coturn.credentials("alice");
            TurnCredentials cb = coturn.credentials("bob");
            try (ToneBot a = ToneBot.builder("alice").tone(440).relayOnly(true)
                    .turn(coturn.url("udp"), ca.username(), ca.password()).build();
                 ToneBot b = ToneBot.builder("bob").tone(660).relayOnly(true)
                         .turn(coturn.url("tcp"), cb.username(), cb.password()).build()) {
                String offer = a.createOffer();
                assertThat(offer).contains("typ relay").doesNotContain("typ host");
                a.applyAnswer(b.acceptOffer(offer));

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(a.heardFrequencies(440, 660)).containsExactly(660.0);
                    assertThat(b.heardFrequencies(440, 660)).containsExactly(440.0);
                });
                RtcStatsSummary sa = a.stats();
                assertThat(sa.selectedPair()).hasValueSatisfying(p -> {
                    assertThat(p.localType()).isEqualTo("relay");
                    assertThat(p.relayProtocol()).isEqualTo("udp");
                });
                assertThat(b.stats().selectedPair()).hasValueSatisfying(p -> {
                    assertThat(p.localType()).isEqualTo("relay");
                    assertThat(p.relayProtocol()).isEqualTo("tcp");
                });
            }
        }
    }
}
