package com.parchchat.testkit.chromium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.parchchat.testkit.audio.PcmRecorder;
import com.parchchat.testkit.webrtc.RemoteTrack;
import com.parchchat.testkit.webrtc.ToneBot;
import com.parchchat.testkit.webrtc.WebRtcException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Headless Debian Chromium ↔ libwebrtc bot, directly (host candidates on this machine). */
class ChromiumPeerTest {

    @Test
    void chromiumAndABotHearEachOther() {
        try (ChromiumPeer chromium = ChromiumPeer.launch();
             ToneBot bot = ToneBot.builder("bot").tone(440).build()) {
            chromium.createPeerConnection(List.of(), false, true);
            String offer = chromium.createOffer();
            assertThat(offer).contains("m=audio").contains("a=candidate:");
            chromium.applyAnswer(bot.acceptOffer(offer));

            // Chromium receives and decodes the bot's tone
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                ChromiumStats s = chromium.stats();
                assertThat(s.connectionState()).isEqualTo("connected");
                assertThat(s.totalPacketsReceived()).isGreaterThan(50);
                assertThat(s.totalAudioEnergy()).isGreaterThan(0);
                assertThat(s.remoteTracks()).singleElement()
                        .satisfies(t -> assertThat(t.streamIds()).containsExactly("bot"));
            });
            assertThat(chromium.stats().selectedPair()).hasValueSatisfying(p -> assertThat(p.localType())
                    .isIn("host", "prflx"));

            // the bot hears Chromium's fake microphone (it beeps about once per second)
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<RemoteTrack> tracks = bot.activeRemoteTracks();
                assertThat(tracks).hasSize(1);
                PcmRecorder.Snapshot snap = tracks.get(0).recorder().snapshot();
                assertThat(snap.callbacks()).isGreaterThan(100);
                assertThat(snap.peak()).isGreaterThan(3000);
            });
            assertThat(bot.stats().totalPacketsReceived()).isGreaterThan(50);
        }
    }

    @Test
    void botOffersAndChromiumAnswersReceiveOnly() {
        try (ChromiumPeer chromium = ChromiumPeer.launch();
             ToneBot bot = ToneBot.builder("offerer").tone(660).build()) {
            chromium.createPeerConnection(List.of(), false, false);
            bot.applyAnswer(chromium.acceptOffer(bot.createOffer()));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                ChromiumStats s = chromium.stats();
                assertThat(s.totalPacketsReceived()).isGreaterThan(50);
                assertThat(s.totalAudioEnergy()).isGreaterThan(0);
                assertThat(s.packetsSent()).isZero();
            });
            assertThatThrownBy(() -> chromium.applyAnswer("not sdp")).isInstanceOf(WebRtcException.class);
        }
    }
}
