package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuParticipant;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.PcmRecorder;
import com.parchchat.testkit.webrtc.ToneBot;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The voice engine against a foreign libwebrtc peer (testkit's ToneBot) that plays the SFU's media
 * side, with the SFU's signalling frames delivered in memory. The real SFU is exercised in e2e; here
 * the engine's own protocol handling and media are checked against a peer that is not our code.
 */
class VoiceCallTest {

  private static final double ALICE_HZ = 440;
  private static final double BOB_HZ = 660;

  private final ExecutorService sfuThread = Executors.newSingleThreadExecutor();
  private VoiceEngine engine;
  private ToneBot bob;

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
    if (bob != null) {
      bob.close();
    }
    sfuThread.shutdownNow();
  }

  /** In-memory SFU signalling whose single forwarded "member" bob is a real libwebrtc peer. */
  private final class StandInSfu implements SfuLinkFactory {
    final List<ClientToSfu> received = new CopyOnWriteArrayList<>();
    volatile Consumer<SfuToClient> toClient;
    volatile long revision;

    @Override
    public SfuLink open(VoiceGrant grant) {
      return new SfuLink() {
        @Override
        public void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed) {
          toClient = onFrame;
        }

        @Override
        public void send(ClientToSfu frame) {
          received.add(frame);
          sfuThread.execute(() -> handle(frame));
        }

        @Override
        public void close() {
        }
      };
    }

    void handle(ClientToSfu frame) {
      if (frame instanceof ClientToSfu.Join) {
        toClient.accept(new SfuToClient.Joined("host1:voice1",
            new SfuParticipant("alice", "Alice", true, false, "alice-stream"),
            List.of(new SfuParticipant("bob", "Bob", true, false, "bob"))));
        offer();
      } else if (frame instanceof ClientToSfu.Answer a) {
        bob.applyAnswer(a.sdp());
      }
    }

    void offer() {
      toClient.accept(new SfuToClient.Offer(bob.createOffer(), ++revision));
    }

    void deliver(SfuToClient frame) {
      sfuThread.execute(() -> toClient.accept(frame));
    }
  }

  private static final class Recorder implements VoiceListener {
    final List<VoiceCall.State> states = new CopyOnWriteArrayList<>();
    volatile String lastDetail = "";
    volatile Set<String> speaking = Set.of();
    volatile List<VoiceMember> members = List.of();
    volatile CallQuality quality;

    @Override
    public void onStateChanged(VoiceCall.State state, String detail) {
      states.add(state);
      lastDetail = detail;
    }

    @Override
    public void onSpeakingChanged(Set<String> userIds) {
      speaking = userIds;
    }

    volatile VoiceCall call;
    volatile List<VoiceMember> queriedInCallback = List.of();

    @Override
    public void onMembersChanged(List<VoiceMember> m) {
      members = m;
      VoiceCall c = call;
      if (c != null) {
        queriedInCallback = c.members();
      }
    }

    @Override
    public void onQuality(CallQuality q) {
      quality = q;
    }
  }

  @Test
  void joinsHearsAndIsHeardMutesRenegotiatesAndLeavesWhenKicked() {
    engine = new VoiceEngine(VoiceConfig.headless());
    bob = ToneBot.builder("bob").tone(BOB_HZ).build();
    StandInSfu sfu = new StandInSfu();
    Recorder events = new Recorder();
    Map<String, PcmRecorder> heard = new ConcurrentHashMap<>();
    VoiceGrant grant = new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", "host1:voice1", List.of(), true);

    VoiceCall call = engine.join(grant, sfu, VoiceInput.tone(ALICE_HZ), events);
    events.call = call;
    call.setRemoteAudioTap((user, pcm, bits, rate, ch, frames) ->
        heard.computeIfAbsent(user, u -> new PcmRecorder()).accept(pcm, bits, rate, ch, frames));

    await().atMost(Duration.ofSeconds(20)).until(() -> call.state() == VoiceCall.State.CONNECTED);
    assertThat(sfu.received.get(0)).isInstanceOf(ClientToSfu.Join.class);
    assertThat(((ClientToSfu.Join) sfu.received.get(0)).token()).isEqualTo("tok");
    assertThat(sfu.received).anySatisfy(f -> assertThat(f).isInstanceOfSatisfying(ClientToSfu.Answer.class,
        a -> assertThat(a.revision()).isEqualTo(1)));

    // both directions carry the right voice; bob's track is attributed to bob via his stream id
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ);
      assertThat(heard).containsKey("bob");
      assertThat(heard.get("bob").analyze(new FrequencyDetector(), ALICE_HZ, BOB_HZ).present())
          .containsExactly(BOB_HZ);
    });
    assertThat(events.members).singleElement().satisfies(m -> {
      assertThat(m.userId()).isEqualTo("bob");
      assertThat(m.hasTrack()).isTrue();
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(events.quality).isNotNull();
      assertThat(events.quality.roundTripMillis()).isGreaterThanOrEqualTo(0);
      assertThat(events.quality.localCandidate()).isEqualTo("host");
      assertThat(events.quality.packetsReceived()).isGreaterThan(0);
      assertThat(call.quality().grade()).isIn(CallQuality.Grade.GOOD, CallQuality.Grade.FAIR);
    });
    // local level drives our own speaking indicator; the SFU's speaker events add the others
    await().atMost(Duration.ofSeconds(5)).until(() -> events.speaking.contains("alice"));
    sfu.deliver(new SfuToClient.Speakers(List.of(new SfuToClient.SpeakerLevel("bob", 0.6))));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.speaking.equals(Set.of("bob", "alice")));

    // mute: the SFU is told, and our tone stops arriving at the far end
    call.setMuted(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> sfu.received.stream()
        .anyMatch(f -> f instanceof ClientToSfu.Mute m && m.muted()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).isEmpty());
    assertThat(call.isTransmitting()).isFalse();
    call.setMuted(false);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ));

    // push-to-talk: silent until the key is down
    call.setPushToTalk(true);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).isEmpty());
    call.setPushToTalkPressed(true);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ));
    call.setPushToTalk(false);

    // SFU-initiated renegotiation: answered with the same revision, audio keeps flowing
    sfuThread.execute(sfu::offer);
    await().atMost(Duration.ofSeconds(10)).until(() -> sfu.received.stream()
        .anyMatch(f -> f instanceof ClientToSfu.Answer a && a.revision() == 2));
    heard.get("bob").reset();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(heard.get("bob").analyze(new FrequencyDetector(), ALICE_HZ, BOB_HZ).present())
            .containsExactly(BOB_HZ));

    // listeners may query the call from its own thread without deadlocking
    assertThat(call.members()).extracting(VoiceMember::userId).containsExactly("bob");
    call.setUserVolume("bob", 0.5);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events.queriedInCallback)
        .singleElement().satisfies(m -> assertThat(m.volume()).isEqualTo(0.5)));

    // kicked: the call ends for good, no rejoin
    sfu.deliver(new SfuToClient.Left("kicked"));
    await().atMost(Duration.ofSeconds(10)).until(() -> call.state() == VoiceCall.State.LEFT);
    assertThat(events.lastDetail).isEqualTo("kicked");
    call.setMuted(true); // harmless after the end
    call.close();
  }

  private static List<Double> present(Map<String, PcmRecorder> heard, String user) {
    PcmRecorder r = heard.get(user);
    return r == null ? List.of() : r.analyze(new FrequencyDetector(), ALICE_HZ, BOB_HZ).present();
  }

  @Test
  void aReceiveOnlyMemberHearsButSendsNothingAndDeafenSilencesOthers() {
    engine = new VoiceEngine(VoiceConfig.headless());
    bob = ToneBot.builder("bob").tone(BOB_HZ).build();
    StandInSfu sfu = new StandInSfu();
    Map<String, PcmRecorder> heard = new ConcurrentHashMap<>();
    VoiceGrant listenOnly = new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", null, List.of(), false);

    VoiceCall call = engine.join(listenOnly, sfu, VoiceInput.tone(ALICE_HZ), new Recorder());
    call.setRemoteAudioTap((user, pcm, bits, rate, ch, frames) ->
        heard.computeIfAbsent(user, u -> new PcmRecorder()).accept(pcm, bits, rate, ch, frames));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(present(heard, "bob"))
            .containsExactly(BOB_HZ));
    assertThat(call.isTransmitting()).isFalse();
    assertThat(bob.remoteTracks()).isEmpty();
    assertThat(bob.stats().totalPacketsReceived()).isZero();

    call.setDeafened(true);
    await().atMost(Duration.ofSeconds(5)).until(call::isDeafened);
    heard.get("bob").reset();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> heard.get("bob").snapshot().callbacks() == 0);
    call.setDeafened(false);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(present(heard, "bob"))
            .containsExactly(BOB_HZ));
    call.leave();
    await().atMost(Duration.ofSeconds(5)).until(() -> call.state() == VoiceCall.State.LEFT);
    assertThat(sfu.received).anySatisfy(f -> assertThat(f).isInstanceOf(ClientToSfu.Leave.class));
  }

  @Test
  void aLostSignallingLinkRejoinsAndARefusedJoinFails() {
    engine = new VoiceEngine(VoiceConfig.headless());
    bob = ToneBot.builder("bob").tone(BOB_HZ).build();
    List<Consumer<String>> closers = new CopyOnWriteArrayList<>();
    List<ClientToSfu> frames = new CopyOnWriteArrayList<>();
    SfuLinkFactory refusing = grant -> new SfuLink() {
      Consumer<SfuToClient> toClient;

      @Override
      public void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed) {
        toClient = onFrame;
        closers.add(onClosed);
      }

      @Override
      public void send(ClientToSfu frame) {
        frames.add(frame);
        if (frame instanceof ClientToSfu.Join && closers.size() == 1) {
          // first connection drops before anything happens
          sfuThread.execute(() -> closers.get(0).accept("connection reset"));
        } else if (frame instanceof ClientToSfu.Join) {
          sfuThread.execute(() -> toClient.accept(new SfuToClient.Error(
              com.parchchat.protocol.signal.ErrorCode.UNAUTHORIZED,
              com.parchchat.protocol.sfu.SfuErrorReason.TOKEN_EXPIRED, "token expired")));
        }
      }

      @Override
      public void close() {
      }
    };
    Recorder events = new Recorder();
    VoiceCall call = engine.join(new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", null, List.of(), true),
        refusing, VoiceInput.tone(ALICE_HZ), events);
    await().atMost(Duration.ofSeconds(10)).until(() -> call.state() == VoiceCall.State.FAILED);
    assertThat(events.states).contains(VoiceCall.State.RECONNECTING);
    assertThat(frames.stream().filter(f -> f instanceof ClientToSfu.Join).count()).isEqualTo(2);
    assertThat(events.lastDetail).contains("token expired");
  }
}
