package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuParticipant;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.Pcm;
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
    // the raw stats behind it (the voice bench reads them): our send stream and bob's receive stream count
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Map<String, dev.onvoid.webrtc.RTCStats> raw = call.rawStats().get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(raw.values()).anySatisfy(st -> {
        assertThat(st.getType()).isEqualTo(dev.onvoid.webrtc.RTCStatsType.OUTBOUND_RTP);
        assertThat(((Number) st.getAttributes().get("packetsSent")).longValue()).isGreaterThan(0);
      });
      assertThat(raw.values()).anySatisfy(st -> {
        assertThat(st.getType()).isEqualTo(dev.onvoid.webrtc.RTCStatsType.INBOUND_RTP);
        assertThat(((Number) st.getAttributes().get("packetsReceived")).longValue()).isGreaterThan(0);
      });
    });
    // local level drives our own speaking indicator; the SFU's speaker events add the others
    await().atMost(Duration.ofSeconds(5)).until(() -> events.speaking.contains("alice"));
    // the level is what libwebrtc measured on the sent audio (a 0.5-peak tone, no processing here)
    assertThat(call.localLevel()).isBetween(0.2, 1.0);
    sfu.deliver(new SfuToClient.Speakers(List.of(new SfuToClient.SpeakerLevel("bob", 0.6))));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.speaking.equals(Set.of("bob", "alice")));

    // mute: the SFU is told, and our tone stops arriving at the far end
    call.setMuted(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> sfu.received.stream()
        .anyMatch(f -> f instanceof ClientToSfu.Mute m && m.muted()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).isEmpty());
    assertThat(call.isTransmitting()).isFalse();
    assertThat(call.localLevel()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> !events.speaking.contains("alice"));
    call.setMuted(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> events.speaking.contains("alice"));
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

  /**
   * Muting stops the audio module's capture and the encoder (the send stream is made inactive, and
   * libwebrtc stops the capture once nothing sends); unmuting starts both again. Every start and stop is
   * libwebrtc's, on its worker thread. Here the call first mutes and unmutes once and the microphone's
   * pulls are watched (they must stop, then resume, and bob must hear nothing, then alice again); then
   * it mutes, unmutes and toggles push-to-talk as fast as every 10-40 ms for 8 s under CPU load (one busy
   * thread per core) while the SFU renegotiates: nothing may hang or abort the JVM (a start racing a stop
   * of webrtc-java's headless capture thread hangs in native code; a second writer to a send stream
   * aborts on {@code audio_send_stream.cc:368}), bob hears alice afterwards, and closing the engine
   * (which stops the capture once more) returns.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 150, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void muteStopsTheCaptureAndUnmuteRestartsItUnderLoadWithoutHanging() throws Exception {
    engine = new VoiceEngine(VoiceConfig.headless());
    bob = ToneBot.builder("bob").tone(BOB_HZ).build();
    StandInSfu sfu = new StandInSfu();
    VoiceCall call = engine.join(new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", "host1:voice1",
        List.of(), true), sfu, VoiceInput.tone(ALICE_HZ), new Recorder());
    ToneMicrophone mic = engine.toneMicrophone(new VoiceInput.Tone(ALICE_HZ));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ));

    // muted: the capture thread stops pulling the microphone, and nothing reaches bob
    call.setMuted(true);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).isEmpty());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(new java.util.concurrent.Callable<>() {
      long last = -1;

      @Override
      public Boolean call() {
        long now = mic.pulls();
        boolean still = now == last;
        last = now;
        return still;
      }
    });
    long pausedAt = mic.pulls();
    // unmuted: pulls resume and bob hears alice again
    call.setMuted(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> mic.pulls() > pausedAt + 50);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ));

    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> load = new java.util.ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      load.add(new Thread(() -> {
        long x = 0;
        while (!stop.get()) {
          x += System.nanoTime() % 7;
        }
        if (x == 42) {
          System.out.print("");
        }
      }, "cpu-load-" + i));
    }
    load.forEach(Thread::start);
    int toggles = 0;
    try {
      java.util.Random random = new java.util.Random(8);
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < end) {
        if (toggles % 7 == 0) {
          sfuThread.execute(sfu::offer);
        }
        if (toggles % 5 == 4) {
          call.setPushToTalk(true);
          call.setPushToTalkPressed(random.nextBoolean());
          call.setPushToTalk(false);
        }
        call.setMuted(toggles % 2 == 0);
        toggles++;
        Thread.sleep(10 + random.nextInt(31));
      }
      call.setMuted(false);
    } finally {
      stop.set(true);
      for (Thread t : load) {
        t.join(5_000);
      }
    }
    System.out.println("mute toggles during the stress: " + toggles);
    long before = mic.pulls();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(mic.pulls()).isGreaterThan(before + 50);
      assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ);
    });
    assertThat(call.state()).isEqualTo(VoiceCall.State.CONNECTED);

    // closing stops the capture once more: it must return, not hang in native code
    Thread closer = new Thread(engine::close, "engine-close");
    closer.start();
    closer.join(30_000);
    assertThat(closer.isAlive()).as("engine.close() returned").isFalse();
  }

  /**
   * Events are tagged with the connection (signalling link + peer connection) they came from: after a
   * rejoin, a late "closed" from the replaced link must not knock the new, connected call back to
   * RECONNECTING (nor start another rejoin).
   */
  @Test
  void aLateEventFromAReplacedConnectionDoesNotOverwriteTheNewOne() {
    engine = new VoiceEngine(VoiceConfig.headless().withRejoins(3, Duration.ofMillis(50)));
    bob = ToneBot.builder("bob").tone(BOB_HZ).build();
    StandInSfu sfu = new StandInSfu();
    List<Consumer<String>> firstLinkClosed = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    SfuLinkFactory links = grant -> {
      if (opened.incrementAndGet() > 1) {
        return sfu.open(grant);
      }
      return new SfuLink() {
        @Override
        public void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed) {
          firstLinkClosed.add(onClosed);
        }

        @Override
        public void send(ClientToSfu frame) {
        }

        @Override
        public void close() {
        }
      };
    };
    Recorder events = new Recorder();
    VoiceCall call = engine.join(new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", "host1:voice1",
        List.of(), true), links, VoiceInput.tone(ALICE_HZ), events);
    await().atMost(Duration.ofSeconds(5)).until(() -> firstLinkClosed.size() == 1);
    firstLinkClosed.get(0).accept("connection reset");
    await().atMost(Duration.ofSeconds(20)).until(() -> call.state() == VoiceCall.State.CONNECTED);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(bob.heardFrequencies(ALICE_HZ, BOB_HZ)).containsExactly(ALICE_HZ));
    assertThat(events.states).containsSubsequence(VoiceCall.State.RECONNECTING, VoiceCall.State.CONNECTED);

    events.states.clear();
    firstLinkClosed.get(0).accept("late close of the replaced link");
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> call.state() == VoiceCall.State.CONNECTED);
    assertThat(events.states).isEmpty();
    assertThat(opened.get()).isEqualTo(2);
    assertThat(sfu.received.stream().filter(f -> f instanceof ClientToSfu.Join).count()).isEqualTo(1);
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

  /**
   * Per-user volume in what the listener plays: bob (a real libwebrtc peer) sends a tone; a playout
   * thread pulls the engine's mixer every 10 ms like a speaker would (on its own clock, as a sound card
   * does), and the tone's loudness in that mix follows bob's volume (100 % → 50 % → 150 % → 0 %). The
   * tap sees the same scaling. Every level, the reference included, is read the same way: the median
   * loudness of the 10 ms blocks in the last half second, once five readings 100 ms apart agree.
   */
  @Test
  void aMembersVolumeScalesHisVoiceInThePlayoutMix() throws Exception {
    engine = new VoiceEngine(VoiceConfig.headless());
    bob = ToneBot.builder("bob").tone(BOB_HZ).amplitude(0.4).build();
    StandInSfu sfu = new StandInSfu();
    VoiceCall call = engine.join(new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", "host1:voice1",
        List.of(), true), sfu, VoiceInput.tone(ALICE_HZ), new Recorder());
    PcmRecorder tapped = new PcmRecorder(24_000);
    call.setRemoteAudioTap((user, pcm, bits, rate, ch, frames) -> {
      if ("bob".equals(user)) {
        tapped.accept(pcm, bits, rate, ch, frames);
      }
    });
    PcmRecorder played = new PcmRecorder(24_000);
    java.util.concurrent.ScheduledExecutorService speaker = Executors.newSingleThreadScheduledExecutor();
    PlayoutMixer mixer = engine.mixer();
    try {
      short[] out = new short[480];
      byte[] bytes = new byte[960];
      speaker.scheduleAtFixedRate(() -> {
        mixer.mix(out, 480);
        for (int i = 0; i < 480; i++) {
          bytes[2 * i] = (byte) out[i];
          bytes[2 * i + 1] = (byte) (out[i] >> 8);
        }
        played.accept(bytes, 16, 48_000, 1, 480);
      }, 10, 10, java.util.concurrent.TimeUnit.MILLISECONDS);

      FrequencyDetector detector = new FrequencyDetector();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(played.analyze(detector, ALICE_HZ, BOB_HZ).present()).containsExactly(BOB_HZ));
      double full = steadyLevel(played);
      double fullTap = steadyLevel(tapped);
      System.out.printf("volume test: full %.0f, tap %.0f, mixer underflows %d, dropped %d samples, bob buffered %.0f ms%n",
          full, fullTap, mixer.underflows(), mixer.droppedSamples(), mixer.bufferedMillis("bob"));
      assertThat(full).isGreaterThan(0.3 * 0.4 * 32768 / Math.sqrt(2));

      call.setUserVolume("bob", 0.5);
      assertThat(call.userVolume("bob")).isEqualTo(0.5);
      await().atMost(Duration.ofSeconds(10)).until(() -> level(played) < 0.75 * full && level(tapped) < 0.75 * fullTap);
      double half = steadyLevel(played);
      double halfTap = steadyLevel(tapped);
      System.out.printf("volume test: at 50 %% %.2f of full (tap %.2f), mixer underflows %d%n",
          half / full, halfTap / fullTap, mixer.underflows());
      assertThat(half / full).isBetween(0.4, 0.6);
      assertThat(halfTap / fullTap).isBetween(0.4, 0.6);
      assertThat(played.analyze(detector, ALICE_HZ, BOB_HZ).present()).containsExactly(BOB_HZ);

      call.setUserVolume("bob", 1.5);
      await().atMost(Duration.ofSeconds(10)).until(() -> level(played) > 1.2 * full);
      assertThat(steadyLevel(played) / full).isBetween(1.3, 1.7);

      call.setUserVolume("bob", 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> level(played) < full * 0.02);
      assertThat(call.members()).singleElement().satisfies(m -> assertThat(m.volume()).isEqualTo(0.0));
    } finally {
      speaker.shutdownNow();
    }
  }

  /**
   * Loudness of a recorder's last half second: the median RMS of its 10 ms blocks, so one short gap
   * (a late packet, a stalled test thread) does not move it.
   */
  private static double level(PcmRecorder r) {
    short[] s = r.recentSamples();
    int blocks = s.length / 480;
    if (blocks == 0) {
      return 0;
    }
    double[] rms = new double[blocks];
    for (int b = 0; b < blocks; b++) {
      rms[b] = Pcm.rms(java.util.Arrays.copyOfRange(s, b * 480, (b + 1) * 480));
    }
    java.util.Arrays.sort(rms);
    return rms[blocks / 2];
  }

  /** {@link #level} once five readings 100 ms apart agree within 5 % (their mean). */
  private static double steadyLevel(PcmRecorder r) {
    java.util.ArrayDeque<Double> last = new java.util.ArrayDeque<>();
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
      last.addLast(level(r));
      if (last.size() > 5) {
        last.removeFirst();
      }
      double min = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double max = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      return last.size() == 5 && mean > 0 && max - min <= 0.05 * mean ? mean : -1.0;
    }, v -> v > 0);
  }

  /** Every automatic rejoin asks for a fresh grant first and joins with its token. */
  @Test
  void aRejoinTakesAFreshGrant() {
    VoiceConfig config = VoiceConfig.headless().withRejoins(3, Duration.ofMillis(100));
    engine = new VoiceEngine(config);
    List<Consumer<String>> closers = new CopyOnWriteArrayList<>();
    List<ClientToSfu.Join> joins = new CopyOnWriteArrayList<>();
    SfuLinkFactory dropping = grant -> new SfuLink() {
      @Override
      public void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed) {
        closers.add(onClosed);
      }

      @Override
      public void send(ClientToSfu frame) {
        if (frame instanceof ClientToSfu.Join j) {
          joins.add(j);
          Consumer<String> c = closers.get(closers.size() - 1);
          sfuThread.execute(() -> c.accept("connection reset"));
        }
      }

      @Override
      public void close() {
      }
    };
    java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
    Recorder events = new Recorder();
    VoiceCall call = engine.join(new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok-0", null, List.of(), true),
        () -> java.util.concurrent.CompletableFuture.completedFuture(new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"),
            "tok-" + issued.incrementAndGet(), null, List.of(), true)),
        dropping, VoiceInput.tone(ALICE_HZ), events);
    call.setMuted(true);
    await().atMost(Duration.ofSeconds(20)).until(() -> call.state() == VoiceCall.State.FAILED);
    int max = config.maxRejoinAttempts();
    assertThat(joins).extracting(ClientToSfu.Join::token).startsWith("tok-0", "tok-1", "tok-2").hasSize(max + 1);
    assertThat(issued.get()).isEqualTo(max);
    assertThat(events.states).contains(VoiceCall.State.RECONNECTING);
    assertThat(call.isMuted()).isTrue();
  }
}
