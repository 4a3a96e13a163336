package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.parchchat.testkit.process.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desktop voice path with a real sound server: the test starts its own PulseAudio server (Debian
 * {@code pulseaudio}; own socket, home and runtime directory in a temp dir, stopped by PID) with a null
 * sink as the speaker and a microphone playing a 1000 Hz tone, and a child JVM ({@link PulseDeviceCallMain},
 * environment {@code PULSE_SERVER}/{@code PULSE_SOURCE}) joins a call with {@link VoiceConfig#desktop()}:
 * the engine must use the device module (not fall back to headless), list the server's devices by name,
 * send the microphone's tone through libwebrtc's PulseAudio capture and audio processing to a foreign
 * peer, go silent while muted (libwebrtc stops the device's capture) and be heard again after unmute,
 * and report the microphone's level. A child JVM because libpulse reads the server's address from the
 * environment, which a running JVM cannot change. Choosing the named device ({@code selectMicrophone}) must
 * work without the old "cannot be selected" warning; switching between devices is {@link PulseDeviceSwitchTest}.
 */
class PulseAudioDeviceCallTest {
  @TempDir
  Path dir;

  private final List<ServiceProcess> procs = new ArrayList<>();

  @AfterEach
  void stop() {
    for (int i = procs.size() - 1; i >= 0; i--) {
      procs.get(i).stop(Duration.ofSeconds(5));
    }
  }

  @Test
  void theDesktopConfigurationSendsTheSoundServersMicrophoneAndMuteSilencesIt() throws Exception {
    Path pulseaudio = Path.of("/usr/bin/pulseaudio");
    if (!Files.isExecutable(pulseaudio)) {
      fail("this test needs a PulseAudio server binary: apt-get install -y pulseaudio");
    }
    Path socket = dir.resolve("native");
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve("runtime"));
    Path script = dir.resolve("test.pa");
    Files.writeString(script, String.join("\n",
        "load-module module-null-sink sink_name=parch_test_speaker rate=48000 channels=2"
            + " sink_properties=device.description=parch_test_speaker",
        "load-module module-null-sink sink_name=parch_test_tone rate=48000 channels=1",
        "load-module module-sine sink=parch_test_tone frequency=" + Math.round(PulseDeviceCallMain.MIC_HZ),
        // a remap of the tone sink's monitor: a source with 10 ms blocks, like a sound card's microphone
        "load-module module-remap-source master=parch_test_tone.monitor source_name=parch_test_mic channels=1"
            + " source_properties=device.description=parch_test_mic",
        "load-module module-native-protocol-unix auth-anonymous=1 socket=" + socket,
        "set-default-sink parch_test_speaker", ""));
    ServiceProcess server = ServiceProcess.builder("pulseaudio").command(List.of(pulseaudio.toString(), "-n",
            "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "-F", script.toString(), "--log-target=stderr"))
        .env("HOME", home.toString()).env("PULSE_RUNTIME_PATH", home.resolve("runtime").toString())
        .env("PULSE_STATE_PATH", home.resolve("state").toString()).logDir(dir.resolve("pulse-logs")).start();
    procs.add(server);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      if (!server.isAlive()) {
        throw new IllegalStateException("pulseaudio exited: " + server.tail(20));
      }
      return Files.exists(socket);
    });

    ServiceProcess call = ServiceProcess.builder("device-call").command(List.of(ServiceProcess.javaBinary(), "-cp",
            System.getProperty("java.class.path"), PulseDeviceCallMain.class.getName()))
        .env("PULSE_SERVER", "unix:" + socket).env("PULSE_SOURCE", "parch_test_mic")
        .env("HOME", home.toString()).logDir(dir.resolve("call-logs")).start();
    procs.add(call);
    int exit = call.awaitExit(Duration.ofSeconds(150));
    String out = call.output();
    out.lines().filter(l -> l.matches("[A-Z_]+( .*)?")).forEach(System.out::println); // the child's steps
    assertThat(exit).as(out).isZero();
    assertThat(out).contains("MODE DEVICE");
    assertThat(out.lines().filter(l -> l.startsWith("MICROPHONES ")).findFirst().orElse(""))
        .contains("parch_test_mic");
    assertThat(out.lines().filter(l -> l.startsWith("SPEAKERS ")).findFirst().orElse(""))
        .contains("parch_test_speaker");
    assertThat(out).contains("CONNECTED", "BOB_HEARS_MICROPHONE", "MUTED_SILENT", "UNMUTED_HEARD", "LOCAL_LEVEL", "DONE");
    // choosing the named device works (PulseDeviceRouter moves our stream; before it, webrtc-java 0.14 could
    // not select it and the engine warned "cannot be selected"); switching devices: PulseDeviceSwitchTest
    assertThat(out).doesNotContain("cannot be selected");
  }
}
