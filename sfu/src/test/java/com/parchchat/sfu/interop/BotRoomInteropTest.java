package com.parchchat.sfu.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.sfu.support.BotMember;
import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.testkit.webrtc.RtcStatsSummary;
import com.parchchat.testkit.webrtc.ToneBot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * libwebrtc bots (webrtc-java, headless audio, one distinct tone each) in one SFU room: everyone
 * hears every other bot's tone on its own track and never its own; after one leaves, the others
 * renegotiate and keep hearing the rest.
 */
class BotRoomInteropTest {
  private static final double[] TONES = {350, 550, 750, 950, 1150};
  private static final String ROOM = "host1:voice-a";

  private SfuFixture sfu;
  private final List<BotMember> members = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sfu = new SfuFixture();
  }

  @AfterEach
  void stop() {
    for (BotMember m : members) {
      m.close();
    }
    sfu.close();
  }

  @ParameterizedTest(name = "{0} bots")
  @ValueSource(ints = {2, 3, 5})
  void everyBotHearsEveryOtherBotAndNotItself(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      String user = "bot" + i;
      ToneBot bot = ToneBot.builder(user).tone(TONES[i]).timeout(Duration.ofSeconds(20)).build();
      members.add(new BotMember(sfu.wsUri(), user, SfuFixture.token(user, ROOM, true), bot));
    }
    awaitHearing(members, Duration.ofSeconds(40));
    for (BotMember m : members) {
      assertThat(m.failure()).isNull();
      assertThat(m.bot().activeRemoteTracks()).hasSize(n - 1);
      SfuToClient.Joined joined = m.signal().await(SfuToClient.Joined.class, Duration.ofSeconds(1));
      assertThat(joined.room()).isEqualTo(ROOM);
    }
    // libwebrtc's receive stats stay sane: packets and energy on every track, no loss on loopback
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      RtcStatsSummary stats = members.get(0).bot().stats();
      assertThat(stats.inbound()).hasSize(n - 1).allSatisfy(in -> {
        assertThat(in.packetsReceived()).isGreaterThan(20);
        assertThat(in.totalAudioEnergy()).isGreaterThan(0);
        assertThat(in.packetsLost()).isLessThan(5);
      });
    });

    // one leaves: the others are told, renegotiate, and keep hearing the rest
    BotMember leaving = members.remove(n - 1);
    leaving.leave();
    leaving.close();
    for (BotMember m : members) {
      await().atMost(Duration.ofSeconds(10)).until(() -> m.signal().frames().stream()
          .anyMatch(f -> f instanceof SfuToClient.ParticipantLeft
              && ((SfuToClient.ParticipantLeft) f).userId().equals(leaving.userId())));
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (BotMember m : members) {
        assertThat(m.bot().activeRemoteTracks()).hasSize(n - 2);
      }
    });
    if (n > 2) {
      awaitHearing(members, Duration.ofSeconds(20));
    }
    for (BotMember m : members) {
      assertThat(m.failure()).isNull();
    }
  }

  private static void awaitHearing(List<BotMember> members, Duration timeout) {
    double[] candidates = TONES;
    await().atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      for (BotMember m : members) {
        Set<Double> expected = new HashSet<>();
        for (BotMember other : members) {
          if (other != m) {
            expected.add(other.bot().toneFrequency());
          }
        }
        assertThat(m.bot().heardFrequencies(candidates)).as(m.userId() + " hears").isEqualTo(expected);
      }
    });
  }
}
