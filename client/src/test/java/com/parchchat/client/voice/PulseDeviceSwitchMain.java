package com.parchchat.client.voice;

import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuParticipant;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.process.ChildMain;
import com.parchchat.testkit.webrtc.ToneBot;
import dev.onvoid.webrtc.media.audio.AudioDevice;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The child JVM of {@link PulseDeviceSwitchTest}: started with {@code PULSE_SERVER} pointing at the test's
 * own PulseAudio server (two tone microphones, two null-sink speakers; the low-tone microphone and the first
 * speaker are the server's defaults), it runs the desktop voice configuration against a foreign libwebrtc
 * peer and switches microphone and speaker through {@link VoiceEngine#selectMicrophone} /
 * {@link VoiceEngine#selectSpeaker} mid-call, as the voice panel's pickers do. One line per step.
 */
public final class PulseDeviceSwitchMain {
  static final double LOW_HZ = 300;
  static final double HIGH_HZ = 2500;
  static final double BOB_HZ = 1000;
  static final String MIC_LOW = "parch_mic_low";
  static final String MIC_HIGH = "parch_mic_high";
  static final String SPEAKER_A = "parch_speaker_a";
  static final String SPEAKER_B = "parch_speaker_b";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private PulseDeviceSwitchMain() {
  }

  public static void main(String[] args) {
    java.nio.file.Path unplugged = java.nio.file.Path.of(args[0]);
    ChildMain.exitAfter("FAILED", 1, () -> run(unplugged));
  }

  /** {@code unplugged}: a file the parent test creates once it has unloaded the high microphone. */
  private static void run(java.nio.file.Path unplugged) throws Exception {
    ExecutorService sfuThread = Executors.newSingleThreadExecutor();
    try (VoiceEngine engine = new VoiceEngine(VoiceConfig.desktop())) {
      System.out.println("MODE " + engine.mode());
      System.out.println("MICROPHONES " + engine.microphones().stream().map(AudioDevice::getName).toList());
      System.out.println("SPEAKERS " + engine.speakers().stream().map(AudioDevice::getName).toList());
      RecordingDeviceListener listener = new RecordingDeviceListener();
      engine.setDeviceListener(listener);
      List<String> notices = listener.told;

      try (ToneBot bob = ToneBot.builder("bob").tone(BOB_HZ).build()) {
        VoiceCall call = join(engine, bob, sfuThread);
        await().atMost(WAIT).until(() -> call.state() == VoiceCall.State.CONNECTED);
        System.out.println("CONNECTED");
        await().atMost(WAIT).until(() -> bob.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(LOW_HZ)));
        System.out.println("HEARS_DEFAULT_MICROPHONE_LOW");
        await().atMost(WAIT).until(() -> monitorHears(SPEAKER_A, BOB_HZ) && !monitorHears(SPEAKER_B, BOB_HZ));
        System.out.println("PLAYS_ON_DEFAULT_SPEAKER_A");

        long t0 = System.nanoTime();
        engine.selectMicrophone(device(engine.microphones(), MIC_HIGH));
        System.out.println("SELECT_MICROPHONE_MS " + (System.nanoTime() - t0) / 1_000_000); // a figure, not a check
        await().atMost(WAIT).until(() -> bob.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(HIGH_HZ)));
        System.out.println("MID_CALL_MICROPHONE_HIGH");
        t0 = System.nanoTime();
        engine.selectSpeaker(device(engine.speakers(), SPEAKER_B));
        System.out.println("SELECT_SPEAKER_MS " + (System.nanoTime() - t0) / 1_000_000);
        await().atMost(WAIT).until(() -> monitorHears(SPEAKER_B, BOB_HZ) && !monitorHears(SPEAKER_A, BOB_HZ));
        System.out.println("MID_CALL_SPEAKER_B");
        // what the next call's voice panel preselects
        System.out.println("CHOSEN_MATCH " + (device(engine.microphones(), MIC_HIGH).getName().equals(engine.chosenMicrophone())
            && device(engine.speakers(), SPEAKER_B).getName().equals(engine.chosenSpeaker())));

        // libwebrtc re-opens the capture stream on unmute: the choice must follow it
        call.setMuted(true);
        await().atMost(WAIT).until(() -> bob.heardFrequencies(LOW_HZ, HIGH_HZ).isEmpty());
        call.setMuted(false);
        await().atMost(WAIT).until(() -> bob.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(HIGH_HZ)));
        System.out.println("UNMUTE_KEEPS_MICROPHONE_HIGH");
        call.close();
      }

      // a later call starts on the chosen devices
      try (ToneBot carol = ToneBot.builder("carol").tone(BOB_HZ).build()) {
        VoiceCall call = join(engine, carol, sfuThread);
        await().atMost(WAIT).until(() -> call.state() == VoiceCall.State.CONNECTED);
        await().atMost(WAIT).until(() -> carol.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(HIGH_HZ)));
        await().atMost(WAIT).until(() -> monitorHears(SPEAKER_B, BOB_HZ) && !monitorHears(SPEAKER_A, BOB_HZ));
        System.out.println("LATER_CALL_USES_CHOICE");

        // back to the default microphone
        engine.selectMicrophone(engine.microphones().get(0));
        await().atMost(WAIT).until(() -> carol.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(LOW_HZ)));
        System.out.println("DEFAULT_AGAIN_LOW");
        // the choice as the app saves it and applies it on the next run's engine start (ui.voice.VoiceDevices):
        // a saved microphone that is there is chosen, a saved speaker that is not there is skipped
        java.nio.file.Path configDir = java.nio.file.Files.createTempDirectory("parch-voice-devices");
        com.parchchat.client.ui.voice.VoiceDevices saving = new com.parchchat.client.ui.voice.VoiceDevices(configDir);
        saving.setMicrophone(device(engine.microphones(), MIC_HIGH).getName());
        saving.setSpeaker("No such speaker");
        new com.parchchat.client.ui.voice.VoiceDevices(configDir).applyTo(engine);
        await().atMost(WAIT).until(() -> carol.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(HIGH_HZ)));
        await().atMost(WAIT).until(() -> monitorHears(SPEAKER_B, BOB_HZ) && !monitorHears(SPEAKER_A, BOB_HZ));
        System.out.println("SAVED_CHOICE_APPLIED");
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(configDir)) {
          for (java.nio.file.Path f : files.toList()) {
            java.nio.file.Files.delete(f);
          }
        }
        java.nio.file.Files.delete(configDir);

        // the chosen microphone is unplugged: the server moves us to the default, the UI is told
        AudioDevice stale = device(engine.microphones(), MIC_HIGH);
        System.out.println("UNPLUG_MIC_HIGH"); // the parent unloads the module, then creates the file
        await().atMost(WAIT).until(() -> java.nio.file.Files.exists(unplugged));
        await().atMost(WAIT).until(() -> notices.contains("fallback MICROPHONE " + MIC_HIGH + " DEVICE_GONE"));
        await().atMost(WAIT).until(() -> carol.heardFrequencies(LOW_HZ, HIGH_HZ).equals(java.util.Set.of(LOW_HZ)));
        System.out.println("FALLBACK_TOLD_AND_DEFAULT_HEARD");
        try {
          engine.selectMicrophone(stale);
          System.out.println("STALE_DEVICE_ACCEPTED");
        } catch (VoiceDeviceException e) {
          System.out.println("STALE_DEVICE_REFUSED " + e.reason());
        }
        call.close();
      }
      System.out.println("NOTICES " + notices);
    } finally {
      sfuThread.shutdownNow();
    }
    System.out.println("DONE");
  }

  private static AudioDevice device(List<AudioDevice> all, String description) {
    // the last match: libwebrtc's first entry ("default") carries the default device's description too
    AudioDevice found = null;
    for (AudioDevice d : all) {
      if (d.getName().equals(description)) {
        found = d;
      }
    }
    if (found == null) {
      throw new IllegalStateException("no device " + description + " in " + all);
    }
    return found;
  }

  /** Whether {@code hz} is present in 300 ms of the sink's monitor (parec, independent of our router). */
  static boolean monitorHears(String sink, double hz) throws Exception {
    Process p = new ProcessBuilder("parec", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
        "--latency-msec=20", "-d", sink + ".monitor").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (InputStream in = p.getInputStream()) {
      byte[] skip = in.readNBytes(48000 * 2 / 10); // the first 100 ms: the stream settling
      byte[] pcm = in.readNBytes(48000 * 2 * 3 / 10);
      if (skip.length == 0 || pcm.length < 9600) {
        return false;
      }
      short[] s = new short[pcm.length / 2];
      ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
      return new FrequencyDetector().analyze(s, 48000, hz).isPresent(hz);
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  /**
   * Joins a call whose "SFU" is {@code peer} itself: the join is answered in-process on {@code sfuThread}
   * with {@code peer}'s offer, and our answer goes back to it (also used by {@link PulseDeviceCallMain}).
   */
  static VoiceCall join(VoiceEngine engine, ToneBot peer, ExecutorService sfuThread) {
    long[] revision = {0};
    @SuppressWarnings("unchecked")
    Consumer<SfuToClient>[] toClient = new Consumer[1];
    SfuLinkFactory sfu = grant -> new SfuLink() {
      @Override
      public void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed) {
        toClient[0] = onFrame;
      }

      @Override
      public void send(ClientToSfu frame) {
        sfuThread.execute(() -> {
          if (frame instanceof ClientToSfu.Join) {
            toClient[0].accept(new SfuToClient.Joined("host1:voice1",
                new SfuParticipant("alice", "Alice", true, false, "alice-stream"),
                List.of(new SfuParticipant(peer.name(), peer.name(), true, false, peer.name()))));
            toClient[0].accept(new SfuToClient.Offer(peer.createOffer(), ++revision[0]));
          } else if (frame instanceof ClientToSfu.Answer a) {
            peer.applyAnswer(a.sdp());
          }
        });
      }

      @Override
      public void close() {
      }
    };
    VoiceGrant grant = new VoiceGrant(URI.create("ws://127.0.0.1:1/sfu"), "tok", "host1:voice1", List.of(), true);
    return engine.join(grant, sfu, VoiceInput.microphone(), new VoiceListener() { });
  }
}
