package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.fail;

import com.parchchat.testkit.process.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test's own PulseAudio server (Debian {@code pulseaudio}): its socket, home, runtime and state directories
 * in the test's temp dir, no default script, stopped by PID in {@link #close()}. Modules come from the lines
 * given; {@link #microphone} and {@link #speaker} make devices a desktop would have.
 */
final class TestPulseServer implements AutoCloseable {
  private final ServiceProcess process;
  private final Path socket;

  private TestPulseServer(ServiceProcess process, Path socket) {
    this.process = process;
    this.socket = socket;
  }

  /** Starts a server with the module lines {@code script} (the socket module is added) and waits for its socket. */
  static TestPulseServer start(Path dir, List<String> script) throws Exception {
    Path pulseaudio = Path.of("/usr/bin/pulseaudio");
    if (!Files.isExecutable(pulseaudio) || !Files.isExecutable(Path.of("/usr/bin/pactl"))) {
      fail("this test needs a PulseAudio server and pactl: apt-get install -y pulseaudio pulseaudio-utils");
    }
    Path socket = dir.resolve("native");
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve("runtime"));
    List<String> lines = new ArrayList<>(script);
    lines.add("load-module module-native-protocol-unix auth-anonymous=1 socket=" + socket);
    lines.add("");
    Path file = dir.resolve("test.pa");
    Files.writeString(file, String.join("\n", lines));
    ServiceProcess server = ServiceProcess.builder("pulseaudio").command(List.of(pulseaudio.toString(), "-n",
            "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "-F", file.toString(), "--log-target=stderr"))
        .env("HOME", home.toString()).env("PULSE_RUNTIME_PATH", home.resolve("runtime").toString())
        .env("PULSE_STATE_PATH", home.resolve("state").toString()).logDir(dir.resolve("pulse-logs")).start();
    TestPulseServer s = new TestPulseServer(server, socket);
    try {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        if (!server.isAlive()) {
          throw new IllegalStateException("pulseaudio exited: " + server.tail(20));
        }
        return Files.exists(socket);
      });
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** A source {@code name} (also its description) with 10 ms blocks playing {@code hz}: a tone into a null sink, remapped. */
  static List<String> microphone(String name, double hz) {
    String tone = name + "_tone";
    return List.of("load-module module-null-sink sink_name=" + tone + " rate=48000 channels=1",
        "load-module module-sine sink=" + tone + " frequency=" + Math.round(hz),
        remapLine(name));
  }

  /** The module line of {@link #microphone}'s source itself (to load it again after unloading it). */
  static String remapLine(String name) {
    return "load-module module-remap-source master=" + name + "_tone.monitor source_name=" + name + " channels=1"
        + " source_properties=device.description=" + name;
  }

  /** A null sink {@code name} (also its description). */
  static String speaker(String name) {
    return "load-module module-null-sink sink_name=" + name + " rate=48000 channels=2"
        + " sink_properties=device.description=" + name;
  }

  /** {@code PULSE_SERVER} for clients. */
  String address() {
    return "unix:" + socket;
  }

  /** Runs pactl against this server; its output (fails the test when pactl fails). */
  String pactl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("pactl", "-s", address()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("pactl " + String.join(" ", args) + ": " + text);
    }
    return text;
  }

  /** The index of the module that made source {@code name} with {@link #remapLine}. */
  String remapModule(String name) throws Exception {
    String modules = pactl("list", "short", "modules");
    return modules.lines().filter(l -> l.contains("module-remap-source") && l.contains("source_name=" + name + " "))
        .map(l -> l.split("\t")[0]).findFirst().orElseThrow(() -> new AssertionError("no remap module in " + modules));
  }

  /** Loads {@link #microphone}'s source {@code name} again (plugged back in). */
  void loadRemap(String name) throws Exception {
    List<String> args = new ArrayList<>(List.of(remapLine(name).split(" ")));
    pactl(args.toArray(String[]::new));
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(5));
  }
}
