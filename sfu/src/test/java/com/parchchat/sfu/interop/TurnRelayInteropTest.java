package com.parchchat.sfu.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.sfu.support.BotMember;
import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.testkit.turn.Coturn;
import com.parchchat.testkit.turn.TurnCredentials;
import com.parchchat.testkit.webrtc.RtcStatsSummary;
import com.parchchat.testkit.webrtc.ToneBot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Relay-only libwebrtc bots reach the SFU through coturn (UDP and TCP to the TURN server). */
class TurnRelayInteropTest {
  private static final String ROOM = "host1:voice-turn";
  private static final String TURN_SECRET = "turn-secret-for-tests";

  private SfuFixture sfu;
  private Coturn coturn;
  private final List<BotMember> members = new ArrayList<>();

  @AfterEach
  void stop() {
    for (BotMember m : members) {
      m.close();
    }
    if (sfu != null) {
      sfu.close();
    }
    if (coturn != null) {
      coturn.close();
    }
  }

  @Test
  void relayOnlyBotsHearEachOtherThroughTurn() throws Exception {
    sfu = new SfuFixture();
    coturn = Coturn.start(TURN_SECRET, "parch");
    String[] transports = {"udp", "tcp", "udp"};
    double[] tones = {400, 600, 800};
    for (int i = 0; i < 3; i++) {
      String user = "relay" + i;
      TurnCredentials c = coturn.credentials(user);
      ToneBot bot = ToneBot.builder(user).tone(tones[i]).relayOnly(true)
          .turn(coturn.url(transports[i]), c.username(), c.password()).timeout(Duration.ofSeconds(20)).build();
      members.add(new BotMember(sfu.wsUri(), user, SfuFixture.token(user, ROOM, true), bot, i != 1));
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      for (int i = 0; i < 3; i++) {
        List<Double> expected = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          if (j != i) {
            expected.add(tones[j]);
          }
        }
        assertThat(members.get(i).bot().heardFrequencies(tones)).containsExactlyInAnyOrderElementsOf(expected);
      }
    });
    for (int i = 0; i < 3; i++) {
      RtcStatsSummary s = members.get(i).bot().stats();
      String transport = transports[i];
      assertThat(s.selectedPair()).hasValueSatisfying(p -> {
        assertThat(p.localType()).isEqualTo("relay");
        assertThat(p.relayProtocol()).isEqualTo(transport);
      });
      assertThat(members.get(i).failure()).isNull();
    }
  }
}
