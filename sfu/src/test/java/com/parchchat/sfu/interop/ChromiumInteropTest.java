package com.parchchat.sfu.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.sfu.support.BotMember;
import com.parchchat.sfu.support.SdpPeer;
import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.testkit.chromium.ChromiumPeer;
import com.parchchat.testkit.chromium.ChromiumStats;
import com.parchchat.testkit.webrtc.RemoteTrack;
import com.parchchat.testkit.webrtc.RtcStatsSummary;
import com.parchchat.testkit.webrtc.ToneBot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium in a room with two libwebrtc bots. Chromium joins the plain way (the SFU offers
 * first; its microphone track came from addTrack): it receives and decodes both bots' audio, and
 * the bots receive its fake microphone.
 */
class ChromiumInteropTest {
  private static final String ROOM = "host1:voice-chromium";

  private SfuFixture sfu;
  private final List<BotMember> members = new ArrayList<>();

  @AfterEach
  void stop() {
    for (BotMember m : members) {
      m.close();
    }
    if (sfu != null) {
      sfu.close();
    }
  }

  @Test
  void chromiumHearsTheBotsAndTheBotsHearChromium() throws Exception {
    sfu = new SfuFixture();
    BotMember a = bot("alice", 440, true);
    BotMember b = bot("bob", 880, false); // this bot lets the SFU offer first, like Chromium

    ChromiumPeer chromium = ChromiumPeer.launch(Duration.ofSeconds(30));
    chromium.createPeerConnection(List.of(), false, true);
    SdpPeer peer = new SdpPeer() {
      @Override
      public String createOffer() {
        return chromium.createOffer();
      }

      @Override
      public String acceptOffer(String offerSdp) {
        return chromium.acceptOffer(offerSdp);
      }

      @Override
      public void applyAnswer(String answerSdp) {
        chromium.applyAnswer(answerSdp);
      }
    };
    BotMember c = new BotMember(sfu.wsUri(), "chromium", SfuFixture.token("chromium", ROOM, true), peer, chromium, false);
    members.add(c);

    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      ChromiumStats s = chromium.stats();
      assertThat(s.inbound()).hasSize(2);
      assertThat(s.inbound()).allSatisfy(in -> {
        assertThat(in.packetsReceived()).isGreaterThan(50);
        assertThat(in.totalAudioEnergy()).isGreaterThan(0);
      });
      assertThat(s.packetsSent()).isGreaterThan(50);
    });
    // both bots hear each other's tone and a third track carrying Chromium's beeps
    for (BotMember m : List.of(a, b)) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        List<RemoteTrack> tracks = m.bot().activeRemoteTracks();
        assertThat(tracks).hasSize(2);
        RtcStatsSummary s = m.bot().stats();
        assertThat(s.inbound()).hasSize(2);
        assertThat(s.inbound()).allSatisfy(in -> {
          assertThat(in.packetsReceived()).isGreaterThan(50);
          assertThat(in.totalAudioEnergy()).isGreaterThan(0);
        });
      });
    }
    assertThat(a.bot().heardFrequencies(440, 880)).containsExactly(880.0);
    for (BotMember m : members) {
      assertThat(m.failure()).isNull();
    }
  }

  private BotMember bot(String user, double tone, boolean offerInJoin) throws Exception {
    ToneBot bot = ToneBot.builder(user).tone(tone).timeout(Duration.ofSeconds(20)).build();
    BotMember m = new BotMember(sfu.wsUri(), user, SfuFixture.token(user, ROOM, true), bot, offerInJoin);
    members.add(m);
    return m;
  }
}
