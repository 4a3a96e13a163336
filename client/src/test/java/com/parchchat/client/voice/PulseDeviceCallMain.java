package com.parchchat.client.voice;

import static org.awaitility.Awaitility.await;

import com.parchchat.testkit.process.ChildMain;
import com.parchchat.testkit.webrtc.ToneBot;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The child JVM of {@link PulseAudioDeviceCallTest}: started with {@code PULSE_SERVER} pointing at the
 * test's own PulseAudio server and {@code PULSE_SOURCE} at its tone microphone, it runs the desktop voice
 * configuration ({@link VoiceConfig#desktop()}: the device module, all audio processing, the selected
 * microphone) against a foreign libwebrtc peer (testkit's ToneBot) behind in-memory SFU signalling, and
 * prints what happened, one line per step.
 */
public final class PulseDeviceCallMain {
  static final double MIC_HZ = 1000;
  static final double BOB_HZ = 300;

  private PulseDeviceCallMain() {
  }

  public static void main(String[] args) {
    ChildMain.exitAfter("FAILED", 1, PulseDeviceCallMain::run);
  }

  private static void run() throws Exception {
    ExecutorService sfuThread = Executors.newSingleThreadExecutor();
    try (VoiceEngine engine = new VoiceEngine(VoiceConfig.desktop());
        ToneBot bob = ToneBot.builder("bob").tone(BOB_HZ).build()) {
      System.out.println("MODE " + engine.mode());
      System.out.println("MICROPHONES " + engine.microphones().stream().map(d -> d.getName()).toList());
      System.out.println("SPEAKERS " + engine.speakers().stream().map(d -> d.getName()).toList());
      // choosing a device by name, as the voice panel does (webrtc-java 0.14 cannot select it itself, empty
      // device ids on PulseAudio; the engine's PulseDeviceRouter moves our capture stream to it)
      engine.selectMicrophone(engine.microphones().stream().filter(d -> d.getName().equals("parch_test_mic"))
          .findFirst().orElseThrow());
      VoiceCall call = PulseDeviceSwitchMain.join(engine, bob, sfuThread);
      await().atMost(Duration.ofSeconds(30)).until(() -> call.state() == VoiceCall.State.CONNECTED);
      System.out.println("CONNECTED");
      await().atMost(Duration.ofSeconds(30)).until(() -> bob.heardFrequencies(MIC_HZ, BOB_HZ).contains(MIC_HZ));
      System.out.println("BOB_HEARS_MICROPHONE");
      call.setMuted(true);
      await().atMost(Duration.ofSeconds(30)).until(() -> bob.heardFrequencies(MIC_HZ, BOB_HZ).isEmpty());
      System.out.println("MUTED_SILENT");
      call.setMuted(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> bob.heardFrequencies(MIC_HZ, BOB_HZ).contains(MIC_HZ));
      System.out.println("UNMUTED_HEARD");
      await().atMost(Duration.ofSeconds(30)).until(() -> call.localLevel() > 0.05);
      System.out.println("LOCAL_LEVEL " + call.localLevel());
      call.close();
    } finally {
      sfuThread.shutdownNow();
    }
    System.out.println("DONE");
  }
}
