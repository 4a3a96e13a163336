package com.parchchat.sfu.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.sfu.config.SfuConfig;
import com.parchchat.sfu.srtp.SrtpProfile;
import com.parchchat.sfu.support.BotMember;
import com.parchchat.sfu.support.SdpPeer;
import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.testkit.webrtc.RtcStatsSummary;
import com.parchchat.testkit.webrtc.ToneBot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forwarding rules seen from real libwebrtc peers: mute, receive-only, loudest-N, DTLS checks, consent. */
class MediaBehaviourTest {
  private static final String ROOM = "host1:voice-rules";
  private static final Duration HEAR = Duration.ofSeconds(30);

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

  private BotMember bot(String user, double tone, double amplitude, boolean speak) throws Exception {
    ToneBot bot = ToneBot.builder(user).tone(tone).amplitude(amplitude).timeout(Duration.ofSeconds(40)).build();
    BotMember m = new BotMember(sfu.wsUri(), user, SfuFixture.token(user, ROOM, speak), bot);
    members.add(m);
    return m;
  }

  @Test
  void mutedPublisherIsNotForwardedAndReceiveOnlyMemberIsNeverHeard() throws Exception {
    // AES-GCM only: the default prefers AES-CM, so this keeps GCM covered against libwebrtc
    sfu = new SfuFixture(SfuFixture.config().withSrtpProfiles(List.of(SrtpProfile.AEAD_AES_128_GCM)));
    BotMember a = bot("alice", 440, 0.5, true);
    BotMember b = bot("bob", 880, 0.5, true);
    BotMember r = bot("listener", 660, 0.5, false);
    await().atMost(HEAR).untilAsserted(() -> {
      assertThat(b.bot().heardFrequencies(440, 660, 880)).containsExactly(440.0);
      assertThat(a.bot().heardFrequencies(440, 660, 880)).containsExactly(880.0);
      assertThat(r.bot().heardFrequencies(440, 660, 880)).containsExactlyInAnyOrder(440.0, 880.0);
    });
    assertThat(r.signal().await(SfuToClient.Joined.class, Duration.ofSeconds(1)).self().canSpeak()).isFalse();
    assertThat(a.bot().activeRemoteTracks()).hasSize(1); // no track for the receive-only member

    a.signal().send(new ClientToSfu.Mute(true));
    assertThat(b.signal().await(SfuToClient.MuteChanged.class, Duration.ofSeconds(5)).userId()).isEqualTo("alice");
    await().atMost(HEAR).untilAsserted(() -> {
      assertThat(b.bot().heardFrequencies(440, 660, 880)).isEmpty();
      assertThat(r.bot().heardFrequencies(440, 660, 880)).containsExactly(880.0);
    });
    long lostBefore = b.bot().stats().totalPacketsLost();
    a.signal().send(new ClientToSfu.Mute(false));
    await().atMost(HEAR).untilAsserted(() -> assertThat(b.bot().heardFrequencies(440, 660, 880)).containsExactly(440.0));
    // the gap the SFU made by not forwarding is not reported as loss (sequence numbers are rewritten)
    RtcStatsSummary s = b.bot().stats();
    assertThat(s.totalPacketsLost() - lostBefore).isLessThan(10);
  }

  @Test
  void onlyTheLoudestSpeakerIsForwardedWhenLoudestNIsOne() throws Exception {
    sfu = new SfuFixture(SfuFixture.config().withRooms(10, 1));
    BotMember loud = bot("loud", 440, 0.8, true);
    BotMember quiet = bot("quiet", 880, 0.02, true);
    BotMember listener = bot("listener", 0, 0.5, true);
    await().atMost(HEAR).untilAsserted(() -> {
      assertThat(listener.bot().heardFrequencies(440, 880)).containsExactly(440.0);
      assertThat(quiet.bot().heardFrequencies(440, 880)).containsExactly(440.0);
    });
    SfuToClient.Speakers speakers = listener.signal().await(SfuToClient.Speakers.class, Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> listener.signal().frames().stream()
        .anyMatch(f -> f instanceof SfuToClient.Speakers && !((SfuToClient.Speakers) f).levels().isEmpty()
            && ((SfuToClient.Speakers) f).levels().get(0).userId().equals("loud")));
    assertThat(speakers).isNotNull();
    // the loud one goes quiet: the other becomes the forwarded speaker
    loud.bot().stopTone();
    await().atMost(HEAR).untilAsserted(() -> {
      assertThat(listener.bot().heardFrequencies(440, 880)).containsExactly(880.0);
      assertThat(loud.bot().heardFrequencies(440, 880)).containsExactly(880.0);
    });
  }

  @Test
  void answerWithAForeignFingerprintNeverGetsMedia() throws Exception {
    sfu = new SfuFixture();
    BotMember honest = bot("honest", 440, 0.5, true);
    ToneBot liarBot = ToneBot.builder("liar").tone(880).timeout(Duration.ofSeconds(40)).build();
    SdpPeer liar = new SdpPeer() {
      @Override
      public String createOffer() {
        return tamperFingerprint(liarBot.createOffer());
      }

      @Override
      public String acceptOffer(String offerSdp) {
        return tamperFingerprint(liarBot.acceptOffer(offerSdp));
      }

      @Override
      public void applyAnswer(String answerSdp) {
        liarBot.applyAnswer(answerSdp);
      }
    };
    BotMember m = new BotMember(sfu.wsUri(), "liar", SfuFixture.token("liar", ROOM, true), liar, liarBot, true);
    members.add(m);
    assertThat(m.signal().await(SfuToClient.Left.class, Duration.ofSeconds(20)).reason()).isEqualTo("media_failed");
    assertThat(honest.signal().await(SfuToClient.ParticipantLeft.class, Duration.ofSeconds(5)).userId()).isEqualTo("liar");
    assertThat(liarBot.heardFrequencies(440, 880)).isEmpty();
    assertThat(honest.bot().heardFrequencies(440, 880)).isEmpty();
  }

  @Test
  void peerThatVanishesWithoutLeavingIsDroppedWhenConsentExpires() throws Exception {
    SfuConfig base = SfuFixture.config();
    sfu = new SfuFixture(new SfuConfig(base.signalHost(), 0, base.mediaHost(), 0, base.advertisedAddresses(),
        base.tokenSecret(), base.adminSecret(), 10, 10, 0, base.maxFrameBytes(), 300, 5, base.srtpProfiles(),
        base.sendThreads()));
    BotMember stay = bot("stay", 440, 0.5, true);
    BotMember gone = bot("gone", 880, 0.5, true);
    await().atMost(HEAR).untilAsserted(() -> assertThat(stay.bot().heardFrequencies(440, 880)).containsExactly(880.0));
    gone.bot().close(); // media stops, the WebSocket stays open
    assertThat(gone.signal().await(SfuToClient.Left.class, Duration.ofSeconds(15)).reason()).isEqualTo("timeout");
    assertThat(stay.signal().await(SfuToClient.ParticipantLeft.class, Duration.ofSeconds(5)).userId()).isEqualTo("gone");
  }

  private static String tamperFingerprint(String sdp) {
    int at = sdp.indexOf("a=fingerprint:sha-256 ") + "a=fingerprint:sha-256 ".length();
    char c = sdp.charAt(at);
    return sdp.substring(0, at) + (c == 'A' ? 'B' : 'A') + sdp.substring(at + 1);
  }
}
