package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.voice.VoiceDeviceException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PulseDeviceRouter} against a real PulseAudio server of the test's own, with real PulseAudio
 * clients standing in for libwebrtc's streams ({@code parec}/{@code pacat}, started through {@code sh -c
 * '... exec parec'} so the router knows the PID before the stream exists). Where a stream sits is read
 * with the test's own {@code pactl list short} parsing, not the router's.
 */
class PulseDeviceRouterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private TestPulseServer server;
  private final List<Process> clients = new ArrayList<>();
  private final List<PulseDeviceRouter> routers = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(TestPulseServer.speaker("spk_a"));
    lines.add(TestPulseServer.speaker("spk_b"));
    lines.addAll(TestPulseServer.microphone("mic_low", 300));
    lines.addAll(TestPulseServer.microphone("mic_high", 2500));
    lines.add("set-default-sink spk_a");
    lines.add("set-default-source mic_low");
    server = TestPulseServer.start(dir, lines);
  }

  @AfterEach
  void stop() throws Exception {
    routers.forEach(PulseDeviceRouter::close);
    for (Process p : clients) {
      p.destroy();
      if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    server.close();
  }

  private PulseDeviceRouter router(long pid) {
    PulseDeviceRouter r = new PulseDeviceRouter("pactl", server.address(), pid, Duration.ofSeconds(5));
    routers.add(r);
    return r;
  }

  /** A shell that waits for {@code go}, then becomes {@code command} (same PID) talking to our server. */
  private Process client(Path go, String command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c",
        "while [ ! -e '" + go + "' ]; do sleep 0.05; done; exec " + command)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PULSE_SERVER", server.address());
    Process p = pb.start();
    clients.add(p);
    return p;
  }

  /** Device name of the single native-protocol stream of {@code kind} ("source-outputs"/"sink-inputs"), or "". */
  private String deviceOfClientStream(String kind, String devices) throws Exception {
    String streams = server.pactl("list", "short", kind);
    String deviceIndex = streams.lines().filter(l -> l.contains("protocol-native.c")).map(l -> l.split("\t")[1])
        .findFirst().orElse("");
    return server.pactl("list", "short", devices).lines().map(l -> l.split("\t"))
        .filter(f -> f[0].equals(deviceIndex)).map(f -> f[1]).findFirst().orElse("");
  }

  @Test
  void listsTheServersDevicesByNameAndDescription() {
    PulseDeviceRouter r = router(ProcessHandle.current().pid());
    assertThat(r.sources()).extracting(PulseDeviceRouter.Device::name).contains("mic_low", "mic_high", "spk_a.monitor");
    assertThat(r.sources()).filteredOn(d -> d.name().equals("mic_high")).extracting(PulseDeviceRouter.Device::description)
        .containsExactly("mic_high");
    assertThat(r.sinks()).extracting(PulseDeviceRouter.Device::name).contains("spk_a", "spk_b");
  }

  @Test
  void movesTheCaptureNowAndEveryNewStreamOfTheProcessLater() throws Exception {
    Path go = dir.resolve("go-rec");
    Process rec = client(go, "parec --raw --latency-msec=20");
    PulseDeviceRouter r = router(rec.pid());
    r.routeCapture("mic_high"); // before the stream exists: the router must move it when it appears
    Files.writeString(go, "");
    await().atMost(WAIT).until(() -> deviceOfClientStream("source-outputs", "sources").equals("mic_high"));
    assertThat(r.chosenSource()).isEqualTo("mic_high");
    r.routeCapture(null); // the default again
    await().atMost(WAIT).until(() -> deviceOfClientStream("source-outputs", "sources").equals("mic_low"));
    r.routeCapture("mic_high"); // a live stream moves at once
    assertThat(deviceOfClientStream("source-outputs", "sources")).isEqualTo("mic_high");
  }

  @Test
  void movesThePlayoutAndLeavesOtherProcessesAlone() throws Exception {
    Path go = dir.resolve("go-play");
    Process play = client(go, "pacat --raw --latency-msec=20 /dev/zero");
    PulseDeviceRouter someoneElse = router(play.pid() + 1_000_000);
    someoneElse.routePlayout("spk_b");
    Files.writeString(go, "");
    await().atMost(WAIT).until(() -> deviceOfClientStream("sink-inputs", "sinks").equals("spk_a"));
    PulseDeviceRouter r = router(play.pid());
    r.routePlayout("spk_b");
    assertThat(deviceOfClientStream("sink-inputs", "sinks")).isEqualTo("spk_b");
  }

  @Test
  void aVanishedDeviceFallsBackIsToldAndComesBack() throws Exception {
    Path go = dir.resolve("go-rec");
    Process rec = client(go, "parec --raw --latency-msec=20");
    PulseDeviceRouter r = router(rec.pid());
    RecordingDeviceListener listener = new RecordingDeviceListener();
    r.setListener(listener);
    List<String> told = listener.told;
    Files.writeString(go, "");
    await().atMost(WAIT).until(() -> deviceOfClientStream("source-outputs", "sources").equals("mic_low"));
    r.routeCapture("mic_high");
    assertThat(deviceOfClientStream("source-outputs", "sources")).isEqualTo("mic_high");

    server.pactl("unload-module", server.remapModule("mic_high"));
    await().atMost(WAIT).until(() -> told.contains("fallback MICROPHONE mic_high DEVICE_GONE"));
    assertThat(deviceOfClientStream("source-outputs", "sources")).isEqualTo("mic_low");
    assertThat(rec.isAlive()).isTrue();

    server.loadRemap("mic_high");
    await().atMost(WAIT).until(() -> told.contains("restored MICROPHONE mic_high"));
    await().atMost(WAIT).until(() -> deviceOfClientStream("source-outputs", "sources").equals("mic_high"));
  }

  @Test
  void typedErrors() {
    PulseDeviceRouter r = router(ProcessHandle.current().pid());
    assertThatThrownBy(() -> r.routeCapture("no_such_mic")).isInstanceOfSatisfying(VoiceDeviceException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.DEVICE_GONE));
    assertThat(r.chosenSource()).isNull();
    assertThatThrownBy(() -> r.routePlayout("no_such_speaker")).isInstanceOfSatisfying(VoiceDeviceException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.DEVICE_GONE));

    assertThatThrownBy(() -> new PulseDeviceRouter(dir.resolve("no-pactl").toString(), server.address(), 1,
        Duration.ofSeconds(5))).isInstanceOfSatisfying(VoiceDeviceException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.TOOL_MISSING));
    assertThatThrownBy(() -> new PulseDeviceRouter("pactl", "unix:" + dir.resolve("no-server"), 1,
        Duration.ofSeconds(5))).isInstanceOfSatisfying(VoiceDeviceException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_UNREACHABLE));
  }
}
