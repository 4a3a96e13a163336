package com.parchchat.e2e.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.bench.soak.VoiceEar;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceInput;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceSession;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.client.core.SpaceState;
import com.parchchat.testkit.stack.Cleanup;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, point 1 (SFU restart): three clients talk through the real relay, host, SFU and TURN
 * processes; the SFU process is killed with SIGKILL and started again on the same ports. Each client's
 * {@link VoiceSession} notices the dropped signalling link, reports {@code RECONNECTING}, asks the host
 * for a fresh grant (host → relay; the old token is short-lived) and rejoins with backoff — nobody
 * clicks anything. All three hear the other two again within a bound, and a member who was muted
 * before the crash is still muted after it (locally, at the SFU and in the space's voice state).
 */
class VoiceSfuRestartE2ETest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** From the SFU's new "ready" line to everybody hearing everybody again. */
  private static final Duration REJOIN_BOUND = Duration.ofSeconds(25);
  private static final double[] TONES = {440, 550, 660};

  @TempDir Path dir;
  @AutoClose final Cleanup cleanup = new Cleanup();

  private final class Talker {
    final String name;
    final double hz;
    final ParchClient client;
    final HostSession host;
    final String userId;
    final List<VoiceCall.State> states = new CopyOnWriteArrayList<>();
    VoiceSession voice;
    final VoiceEar ear = new VoiceEar(TONES);

    Talker(ParchStack stack, String name, double hz) throws Exception {
      this.name = name;
      this.hz = hz;
      ClientConfig cfg = ClientConfig.defaults(dir.resolve("client-" + name)).withDefaultRelay(stack.relayUrl())
          .withReconnect(Duration.ofMillis(200), Duration.ofMillis(400));
      client = cleanup.add(new ParchClient(cfg));
      client.register(stack.relayUrl(), name, name, name + "@example.org", "password-" + name)
          .get(20, TimeUnit.SECONDS);
      userId = client.account().get().user().id();
      host = client.addHost(stack.hostKey());
      await().atMost(WAIT).until(() -> host.phase().get() == HostSession.Phase.READY);
    }

    void talk(String channelId) throws Exception {
      VoiceEngine engine = cleanup.add(new VoiceEngine(VoiceConfig.headless()));
      voice = cleanup.add(VoiceSession.overWebSocket(host, engine, client.http()));
      voice.setRemoteAudioTap(ear);
      voice.join(channelId, VoiceInput.tone(hz), new VoiceListener() {
        @Override
        public void onStateChanged(VoiceCall.State state, String detail) {
          states.add(state);
        }
      }).get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void afterAnSfuKillAndRestartEveryClientRejoinsByItselfAndKeepsItsMute() throws Exception {
    ParchStack stack = cleanup.add(VoiceStack.loopback(dir.resolve("stack"), 5));
    Talker alice = new Talker(stack, "alice", TONES[0]);
    Talker bob = new Talker(stack, "bob", TONES[1]);
    Talker carol = new Talker(stack, "carol", TONES[2]);
    List<Talker> all = List.of(alice, bob, carol);

    SpaceState space = alice.host.createSpace("Restart").get(10, TimeUnit.SECONDS);
    Channel lounge = alice.host.createChannel(space.id(), "Lounge", ChannelKind.VOICE).get(10, TimeUnit.SECONDS);
    for (Talker t : List.of(bob, carol)) {
      alice.host.inviteUser(space.id(), t.name).get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> !t.host.invites().get().isEmpty());
      t.host.acceptInvite(t.host.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
    }
    await().atMost(WAIT).until(() -> space.members().get().size() == 3);
    for (Talker t : all) {
      t.talk(lounge.id());
    }
    try {
      await().atMost(WAIT).untilAsserted(() -> everybodyHearsEverybody(all, null));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + stack.logs(), e);
    }

    // carol mutes before the crash: she must still be muted afterwards
    carol.voice.setMuted(true);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(alice.ear.all()).doesNotContain(carol.hz).contains(bob.hz);
      assertThat(bob.ear.all()).doesNotContain(carol.hz).contains(alice.hz);
    });
    for (Talker t : all) {
      t.states.clear();
    }

    long pidBefore = stack.sfu().pid();
    stack.killSfu();
    await().atMost(WAIT).untilAsserted(() -> {
      for (Talker t : all) {
        assertThat(t.states).as(t.name + "'s call states").contains(VoiceCall.State.RECONNECTING);
      }
    });
    stack.startSfu();
    assertThat(stack.sfu().pid()).isNotEqualTo(pidBefore);
    long restarted = System.nanoTime();
    try {
      await().atMost(REJOIN_BOUND).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> everybodyHearsEverybody(all, carol));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nstates: alice " + alice.states + " bob " + bob.states
          + " carol " + carol.states + "\n" + stack.logs(), e);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
    System.out.println("VoiceSfuRestartE2ETest: everybody heard again " + millis + " ms after the new SFU was ready");

    // every call is connected again, and it never gave up on the way
    // (audio can flow a moment before the call's state listener has seen the new connection)
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (Talker t : all) {
        assertThat(t.voice.call().state()).as(t.name).isEqualTo(VoiceCall.State.CONNECTED);
        assertThat(t.states).as(t.name).endsWith(VoiceCall.State.CONNECTED).doesNotContain(VoiceCall.State.FAILED);
      }
    });
    assertThat(carol.voice.call().isMuted()).isTrue();

    // and carol's mute is still a real mute at the SFU: unmuting brings her tone back for both
    carol.voice.setMuted(false);
    await().atMost(WAIT).untilAsserted(() -> everybodyHearsEverybody(all, null));
  }

  /** Each talker hears the other two (except {@code silent}'s tone, which nobody may hear). */
  private static void everybodyHearsEverybody(List<Talker> all, Talker silent) {
    for (Talker listener : all) {
      for (Talker speaker : all) {
        if (speaker == listener) {
          continue;
        }
        if (speaker == silent) {
          assertThat(listener.ear.all()).as(listener.name + " hears " + speaker.name).doesNotContain(speaker.hz);
        } else {
          assertThat(listener.ear.from(speaker.userId)).as(listener.name + " hears " + speaker.name)
              .containsExactly(speaker.hz);
        }
      }
    }
  }
}
