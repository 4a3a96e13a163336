package com.parchchat.testkit.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ToneBotTest {

    private static final double[] TONES = {440, 660};

    @Test
    void twoBotsHearEachOthersToneAndNotTheirOwn() {
        try (ToneBot a = ToneBot.builder("alice").tone(440).build();
             ToneBot b = ToneBot.builder("bob").tone(660).build()) {
            ToneBot.connect(a, b);

            await().atMost(Duration.ofSeconds(15)).until(() -> a.isConnected() && b.isConnected());
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(a.heardFrequencies(TONES)).containsExactly(660.0);
                assertThat(b.heardFrequencies(TONES)).containsExactly(440.0);
            });

            RemoteTrack atA = a.activeRemoteTracks().get(0);
            assertThat(atA.trackId()).isEqualTo("bob-audio");
            assertThat(atA.streamIds()).containsExactly("bob");
            assertThat(atA.mid()).isEqualTo("0");
            assertThat(atA.analyze(new com.parchchat.testkit.audio.FrequencyDetector(), TONES).dominantHz())
                    .isBetween(650.0, 670.0);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                RtcStatsSummary s = b.stats();
                assertThat(s.totalPacketsReceived()).isGreaterThan(50);
                assertThat(s.inbound().get(0).totalAudioEnergy()).isGreaterThan(0);
                assertThat(s.packetsSent()).isGreaterThan(50);
                assertThat(s.selectedPair()).hasValueSatisfying(p -> {
                    assertThat(p.localType()).isEqualTo("host");
                    assertThat(p.remoteType()).isIn("host", "prflx");
                });
            });

            // retune: the far side follows
            a.startTone(550);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(b.heardFrequencies(440, 550, 660)).containsExactly(550.0));
        }
    }

    @Test
    void theAnswererCanRenegotiateAndAReceiveOnlyBotSendsNothing() {
        try (ToneBot listener = ToneBot.builder("lonely-listener").send(false).build()) {
            assertThat(listener.createOffer()).contains("a=recvonly");
        }
        try (ToneBot listener = ToneBot.builder("listener").send(false).build();
             ToneBot speaker = ToneBot.builder("speaker").tone(770).build()) {
            ToneBot.connect(listener, speaker);
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(listener.heardFrequencies(440, 770)).containsExactly(770.0));

            // server-initiated renegotiation with an ICE restart: the former answerer offers
            speaker.applyAnswer(listener.onRemoteOffer(speaker.createOffer(true)));
            speaker.startTone(440);
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(listener.heardFrequencies(440, 770)).containsExactly(440.0));
            assertThat(listener.stats().packetsSent()).isZero();
            assertThat(speaker.activeRemoteTracks()).isEmpty();
            assertThat(listener.activeRemoteTracks()).hasSize(1);
        }
    }

    @Test
    void closeIsIdempotentAndBlocksFurtherUse() {
        ToneBot bot = ToneBot.builder("solo").build();
        assertThat(bot.createOffer()).contains("m=audio").contains("a=msid:solo solo-audio");
        bot.close();
        bot.close();
        assertThatThrownBy(bot::createOffer).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void malformedSdpIsATypedErrorNotACrash() {
        try (ToneBot bot = ToneBot.builder("picky").build()) {
            assertThatThrownBy(() -> bot.acceptOffer("v=0\r\nthis is not sdp\r\n"))
                    .isInstanceOf(WebRtcException.class);
            // still usable afterwards
            assertThat(bot.createOffer()).contains("m=audio");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"turn:", "turn:127.0.0.1:0", "turn:127.0.0.1:70000", "http://x", "stun:a b",
            "stun:host?transport=udp", "", "turn:[::1"})
    void malformedIceUrlsAreRejectedBeforeNativeCode(String url) {
        assertThatThrownBy(() -> ToneBot.builder("x").iceServer(new IceServer(List.of(url), "u", "p")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void turnNeedsCredentialsAndHidesThePassword() {
        assertThatThrownBy(() -> IceServer.turn("turn:127.0.0.1:3478", "u", null))
                .isInstanceOf(IllegalArgumentException.class);
        IceServer ok = IceServer.turn("turns:[::1]:5349?transport=tcp", "1700000000:alice", "s3cret");
        assertThat(ok.toString()).doesNotContain("s3cret");
        assertThat(IceServer.stun("stun:127.0.0.1").urls()).containsExactly("stun:127.0.0.1");
    }
}
