package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;

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
  private TestPulseServer server;

  @AfterEach
  void stop() {
    for (int i = procs.size() - 1; i >= 0; i--) {
      procs.get(i).stop(Duration.ofSeconds(5));
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void thePickersMoveCaptureAndPlayoutMidCallAndLaterCallsKeepTheChoice() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(TestPulseServer.speaker(PulseDeviceSwitchMain.SPEAKER_A));
    lines.add(TestPulseServer.speaker(PulseDeviceSwitchMain.SPEAKER_B));
    lines.addAll(TestPulseServer.microphone(PulseDeviceSwitchMain.MIC_LOW, PulseDeviceSwitchMain.LOW_HZ));
    lines.addAll(TestPulseServer.microphone(PulseDeviceSwitchMain.MIC_HIGH, PulseDeviceSwitchMain.HIGH_HZ));
    lines.add("set-default-sink " + PulseDeviceSwitchMain.SPEAKER_A);
    lines.add("set-default-source " + PulseDeviceSwitchMain.MIC_LOW);
    server = TestPulseServer.start(dir, lines);
    Path home = dir.resolve("home");

    ServiceProcess call = ServiceProcess.builder("device-switch").command(List.of(ServiceProcess.javaBinary(), "-cp",
            System.getProperty("java.class.path"), PulseDeviceSwitchMain.class.getName(), dir.resolve("unplugged").toString()))
        .env("PULSE_SERVER", server.address()).env("HOME", home.toString())
        .logDir(dir.resolve("call-logs")).start();
    procs.add(call);
    call.awaitOutput("UNPLUG_MIC_HIGH", Duration.ofSeconds(150));
    // unplug: unload the high microphone's remap source (as a hot-unplug removes a device)
    String module = server.remapModule(PulseDeviceSwitchMain.MIC_HIGH);
    server.pactl("unload-module", module);
    Files.writeString(dir.resolve("unplugged"), module);

    int exit = call.awaitExit(Duration.ofSeconds(120));
    String out = call.output();
    // the child's steps, and how fast the router moved each stream libwebrtc opened (figures, not checks)
    out.lines().filter(l -> l.matches("[A-Z_]+( .*)?") || l.contains("after the server announced"))
        .forEach(System.out::println);
    assertThat(exit).as(out).isZero();
    assertThat(out).contains("CHOSEN_MATCH true", "SAVED_CHOICE_APPLIED");
    assertThat(out).contains("MODE DEVICE", "CONNECTED", "HEARS_DEFAULT_MICROPHONE_LOW", "PLAYS_ON_DEFAULT_SPEAKER_A",
        "MID_CALL_MICROPHONE_HIGH", "MID_CALL_SPEAKER_B", "UNMUTE_KEEPS_MICROPHONE_HIGH", "LATER_CALL_USES_CHOICE",
        "DEFAULT_AGAIN_LOW", "FALLBACK_TOLD_AND_DEFAULT_HEARD", "STALE_DEVICE_REFUSED DEVICE_GONE", "DONE");
    assertThat(out).doesNotContain("cannot be selected");
  }
}
