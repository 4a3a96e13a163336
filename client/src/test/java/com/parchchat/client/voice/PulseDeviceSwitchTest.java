package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.parchchat.testkit.process.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The voice panel's device pickers on a real PulseAudio server (its own, by PID, in a temp dir): two
 * microphones playing different tones (300 Hz, the default, and 2500 Hz) and two null-sink speakers. A child
 * JVM ({@link PulseDeviceSwitchMain}) joins a call with the desktop configuration against a foreign
 * libwebrtc peer, then, mid-call, chooses the other microphone (the peer must hear 2500 Hz and no longer
 * 300 Hz) and the other speaker (the peer's tone must be on that speaker's monitor and gone from the first,
 * read with parec), keeps the choice across unmute (libwebrtc opens a new capture stream) and in a later
 * call, goes back to the default, and, when the chosen microphone's module is unloaded (unplugged), hears the
 * default again and is told so through {@link VoiceDeviceListener}; choosing the vanished device is refused
 * with a typed error.
 */
class PulseDeviceSwitchTest {
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
  void thePickersMoveCaptureAndPlayoutMidCallAndLaterCallsKeepTheChoice() throws Exception {
    Path pulseaudio = Path.of("/usr/bin/pulseaudio");
    if (!Files.isExecutable(pulseaudio) || !Files.isExecutable(Path.of("/usr/bin/pactl"))) {
      fail("this test needs a PulseAudio server and pactl: apt-get install -y pulseaudio pulseaudio-utils");
    }
    Path socket = dir.resolve("native");
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve("runtime"));
    Path script = dir.resolve("test.pa");
    List<String> lines = new ArrayList<>();
    for (String sink : List.of(PulseDeviceSwitchMain.SPEAKER_A, PulseDeviceSwitchMain.SPEAKER_B)) {
      lines.add("load-module module-null-sink sink_name=" + sink + " rate=48000 channels=2"
          + " sink_properties=device.description=" + sink);
    }
    lines.addAll(microphone(PulseDeviceSwitchMain.MIC_LOW, PulseDeviceSwitchMain.LOW_HZ));
    lines.addAll(microphone(PulseDeviceSwitchMain.MIC_HIGH, PulseDeviceSwitchMain.HIGH_HZ));
    lines.add("load-module module-native-protocol-unix auth-anonymous=1 socket=" + socket);
    lines.add("set-default-sink " + PulseDeviceSwitchMain.SPEAKER_A);
    lines.add("set-default-source " + PulseDeviceSwitchMain.MIC_LOW);
    lines.add("");
    Files.writeString(script, String.join("\n", lines));
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

    ServiceProcess call = ServiceProcess.builder("device-switch").command(List.of(ServiceProcess.javaBinary(), "-cp",
            System.getProperty("java.class.path"), PulseDeviceSwitchMain.class.getName(), dir.resolve("unplugged").toString()))
        .env("PULSE_SERVER", "unix:" + socket).env("HOME", home.toString())
        .logDir(dir.resolve("call-logs")).start();
    procs.add(call);
    call.awaitOutput("UNPLUG_MIC_HIGH", Duration.ofSeconds(150));
    // unplug: unload the high microphone's remap source (pactl, as a user's hot-unplug would remove it)
    String modules = pactl(socket, "list", "short", "modules");
    String module = modules.lines().filter(l -> l.contains("module-remap-source")
        && l.contains("source_name=" + PulseDeviceSwitchMain.MIC_HIGH + " ")).map(l -> l.split("\t")[0])
        .findFirst().orElseThrow(() -> new AssertionError("no remap module in " + modules));
    pactl(socket, "unload-module", module);
    Files.writeString(dir.resolve("unplugged"), module);

    int exit = call.awaitExit(Duration.ofSeconds(120));
    String out = call.output();
    out.lines().filter(l -> l.matches("[A-Z_]+( .*)?")).forEach(System.out::println); // the child's steps
    assertThat(exit).as(out).isZero();
    assertThat(out).contains("MODE DEVICE", "CONNECTED", "HEARS_DEFAULT_MICROPHONE_LOW", "PLAYS_ON_DEFAULT_SPEAKER_A",
        "MID_CALL_MICROPHONE_HIGH", "MID_CALL_SPEAKER_B", "UNMUTE_KEEPS_MICROPHONE_HIGH", "LATER_CALL_USES_CHOICE",
        "DEFAULT_AGAIN_LOW", "FALLBACK_TOLD_AND_DEFAULT_HEARD", "STALE_DEVICE_REFUSED DEVICE_GONE", "DONE");
    assertThat(out).doesNotContain("cannot be selected");
  }

  /** A source with 10 ms blocks playing {@code hz}, like a sound card's microphone (tone into a null sink, remapped). */
  private static List<String> microphone(String name, double hz) {
    String tone = name + "_tone";
    return List.of("load-module module-null-sink sink_name=" + tone + " rate=48000 channels=1",
        "load-module module-sine sink=" + tone + " frequency=" + Math.round(hz),
        "load-module module-remap-source master=" + tone + ".monitor source_name=" + name + " channels=1"
            + " source_properties=device.description=" + name);
  }

  private static String pactl(Path socket, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("pactl", "-s", "unix:" + socket));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("pactl " + String.join(" ", args) + ": " + text);
    }
    return text;
  }
}
