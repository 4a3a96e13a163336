package com.parchchat.bench.voice;

import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.voice.AudioMode;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceInput;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceSession;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.PcmRecorder;
import com.parchchat.testkit.process.ChildMain;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Voice figures for docs/performance.md (issue 8, point 5), on loopback with the real relay, host, SFU
 * and TURN jars as processes and each client as its own JVM ({@code client.core} + {@code client.voice},
 * headless audio module, a tone as the voice):
 *
 * <ul>
 *   <li><b>click-to-first-audio</b>: from calling {@code VoiceSession.join} (host authorizes → relay
 *       grant → SFU WebSocket → SDP → ICE/DTLS) to the first 10 ms frame in which the joiner's decoded
 *       audio carries a member's tone. The first join of each client JVM includes the engine's start
 *       (native library, factory) — "cold"; the rejoins that follow reuse the engine — "warm".</li>
 *   <li><b>CPU and RSS per client</b> during a three-party call, from {@code /proc/<pid>/stat}
 *       (utime+stime over a window) and {@code VmRSS}: by default all three talk at once;
 *       {@code --conversation}: 2 s turns, the two listeners muted (their send streams stop);
 *       {@code --conversation-open}: 2 s turns, the listeners unmuted with room noise on their
 *       microphone (voice activation, the default: capture, processing and the encoder keep running).</li>
 * </ul>
 *
 * <pre>
 * java -cp bench/target-x/parch-bench.jar com.parchchat.bench.voice.VoiceBench \
 *   --relay-jar relay/target-x/parch-relay.jar --host-jar host/target-x/parch-host.jar \
 *   --sfu-jar sfu/target-x/parch-sfu.jar --turn-jar turn/target-x/parch-turn.jar
 * </pre>
 */
@Command(name = "voice-bench", mixinStandardHelpOptions = true)
public final class VoiceBench implements Callable<Integer> {
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final Pattern RELAY_LISTENING = Pattern.compile("relay listening on http://[^:]+:(\\d+)");
  private static final Pattern FIRST = Pattern.compile("FIRST_AUDIO_MS (\\w+) (\\d+)");
  /**
   * The three members' voices (owner, bob, carol), one steady tone each. Before the sixth session they were
   * 440, 550 and 660 Hz: so close together (libwebrtc's echo canceller analyses 125 Hz wide bands) that a
   * client's echo canceller, hearing the two others' steady tones in the same bands as its own, took its
   * microphone's tone for echo of them and removed it (about -40 dB): that member's encoder then sent Opus
   * DTX frames only, about 4 packets/s instead of 50, and the others received 55-75 of the 100 packets/s a
   * three-talker call has. Tones octaves apart keep every voice in bands of its own.
   */
  static final double[] DEFAULT_TONES = {300, 1000, 2500};
  /** How long a service may take to start (generous: a loaded 2-core machine needs far more than a quiet one). */
  private static final Duration START = Duration.ofSeconds(180);

  @Option(names = "--relay-jar", required = true) Path relayJar;
  @Option(names = "--host-jar", required = true) Path hostJar;
  @Option(names = "--sfu-jar", required = true) Path sfuJar;
  @Option(names = "--turn-jar", required = true) Path turnJar;
  @Option(names = "--rejoins", defaultValue = "5", description = "warm rejoins per member") int rejoins;
  @Option(names = "--window", defaultValue = "20", description = "CPU window, seconds") int window;
  @Option(names = "--processing", defaultValue = "desktop", description = "audio processing of the clients:"
      + " desktop (echo cancellation, noise suppression, gain control, high-pass: what users run, the figure of"
      + " record) or off (diagnosis only: what the processing costs); no-aec, no-ns, no-agc, no-hpf switch one"
      + " component off (diagnosis only)") String processing;
  @Option(names = "--client-property", description = "a system property (k=v) for the client JVMs (diagnosis)")
  List<String> clientProperties = new ArrayList<>();
  @Option(names = "--audio", defaultValue = "headless", description = "audio device module of the clients:"
      + " headless (webrtc-java's headless module, a tone pulled by its capture thread; the default) or pulse"
      + " (the PulseAudio module a desktop uses, no Java thread on the capture path: the bench starts its own"
      + " pulseaudio server with a null sink as the speaker and one microphone per member playing that member's"
      + " tone, and reports the server's CPU apart; needs Debian pulseaudio and pulseaudio-utils)") String audio;
  @Option(names = "--pulse-latency-msec", defaultValue = "0", description = "with --audio pulse: PULSE_LATENCY_MSEC"
      + " for the client JVMs (libpulse then sizes every stream's buffer to this latency; diagnosis: fewer wake-ups"
      + " against more delay); 0 = unset, libwebrtc's own buffer sizes") int pulseLatencyMsec;
  @Option(names = "--tones", split = ",", description = "the members' tones in Hz (owner, bob, carol); default"
      + " 300,1000,2500 (440,550,660 was the default before the sixth session: see DEFAULT_TONES)")
  double[] tones = DEFAULT_TONES;
  @Option(names = "--conversation", description = "members take turns (one speaks 2 s while the two others"
      + " are muted) instead of all three talking at once") boolean conversation;
  @Option(names = "--conversation-open", description = "members take turns like --conversation, but the two"
      + " who listen stay unmuted (voice activation, the default setting): their microphone delivers room noise"
      + " (white noise at -60 dBFS RMS) instead of the tone, so capture, audio processing and the Opus encoder"
      + " (DTX on) keep running") boolean conversationOpen;
  @Option(names = "--prestart", description = "each client starts its voice engine right after signing in, off"
      + " its main thread, as the desktop app does once a space with a voice channel is shown; the first join is"
      + " then reported as 'first' (engine already running or still starting) instead of 'cold'")
  boolean prestart;

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("client")) {
      ChildMain.exitAfter("FAILED", 1, () -> client(args));
    }
    System.exit(new CommandLine(new VoiceBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (conversation && conversationOpen) {
      throw new IllegalArgumentException("--conversation and --conversation-open exclude each other");
    }
    if (tones.length != 3 || java.util.Arrays.stream(tones).anyMatch(t -> !(t >= 50 && t <= 8000))
        || java.util.Arrays.stream(tones).distinct().count() != 3) {
      throw new IllegalArgumentException("--tones needs three different frequencies in 50..8000 Hz");
    }
    Path dir = Files.createTempDirectory("parch-voice-bench");
    System.out.println("working directory (logs): " + dir);
    List<ServiceProcess> procs = new ArrayList<>();
    boolean done = false;
    try {
      String sfuSecret = secret();
      String adminSecret = secret();
      String turnSecret = secret();
      int signal = FreePorts.tcp();
      int media = FreePorts.udp();
      int turnPort = FreePorts.tcpAndUdp();
      int relayMin = FreePorts.udpRange(40);
      Path sfuYaml = dir.resolve("sfu.yaml");
      Files.writeString(sfuYaml, String.join("\n", "signalHost: 127.0.0.1", "signalPort: " + signal,
          "mediaHost: 127.0.0.1", "mediaPort: " + media, "advertisedAddresses: []", "tokenSecret: " + sfuSecret,
          "adminSecret: " + adminSecret, "roomCapacity: 50", "maxRooms: 100", "loudestN: 0",
          "maxFrameBytes: 65536", "speakerIntervalMillis: 300", "consentTimeoutSeconds: 30",
          "srtpProfiles: [AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80]", ""));
      ServiceProcess sfu = start(procs, dir, "sfu", sfuJar, List.of("--config", sfuYaml.toString()));
      ServiceProcess turn = start(procs, dir, "turn", turnJar, List.of("--listening-ip", "127.0.0.1",
          "--listening-port", "" + turnPort, "--relay-ip", "127.0.0.1", "--min-port", "" + relayMin,
          "--max-port", "" + (relayMin + 39), "--realm", "parch.bench", "--use-auth-secret",
          "--static-auth-secret=" + turnSecret, "--allow-loopback-peers", "--admin-port", "-1"));
      Path relayYaml = dir.resolve("relay.yaml");
      Files.writeString(relayYaml, String.join("\n", "voice:", "  sfuSecret: " + sfuSecret,
          "  sfuAdminSecret: " + adminSecret, "  turnSecret: " + turnSecret, ""));
      ServiceProcess relay = start(procs, dir, "relay", relayJar, List.of("--config", relayYaml.toString(),
          "--port", "0", "--data-dir", dir.resolve("relay-data").toString(), "--argon2-memory-kib", "1024",
          "--sfu-url", "ws://127.0.0.1:" + signal + "/ws", "--sfu-admin-url", "http://127.0.0.1:" + signal,
          "--turn-url", "turn:127.0.0.1:" + turnPort + "?transport=udp"));
      relay.awaitLine(RELAY_LISTENING, START);
      Matcher m = RELAY_LISTENING.matcher(relay.output());
      m.find();
      String relayUrl = "http://127.0.0.1:" + m.group(1);
      sfu.awaitLine(Pattern.compile("SFU ready in"), START);
      turn.awaitLine(Pattern.compile("TURN listening on"), START);
      Path hostDir = dir.resolve("host-data");
      Files.createDirectories(hostDir);
      Files.writeString(hostDir.resolve("host.yaml"), "relay: " + relayUrl + "\nname: Bench\nvoiceCapacity: 10\n");
      ServiceProcess host = start(procs, dir, "host", hostJar, List.of("--data-dir", hostDir.toString(),
          "--relay", relayUrl, "--name", "Bench"));
      host.awaitLine(HOST_KEY, START);
      Matcher k = HOST_KEY.matcher(host.output());
      k.find();
      String hostKey = k.group(1);

      Path pulseSocket = null;
      ServiceProcess pulse = null;
      if (audio.equals("pulse")) {
        if (conversationOpen) {
          throw new IllegalArgumentException("--conversation-open needs --audio headless (room noise comes from the"
              + " tone microphone)");
        }
        pulseSocket = dir.resolve("pulse-native");
        pulse = startPulse(procs, dir, pulseSocket, tones);
      } else if (!audio.equals("headless")) {
        throw new IllegalArgumentException("--audio must be headless or pulse: " + audio);
      }
      String cp = System.getProperty("java.class.path");
      List<ServiceProcess> clients = new ArrayList<>();
      String[] names = {"owner", "bob", "carol"};
      for (int i = 0; i < 3; i++) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ServiceProcess.javaBinary());
        cmd.addAll(desktopJvmOptions());
        for (String prop : clientProperties) {
          cmd.add("-D" + prop);
        }
        String talking = prestart ? "prestart," : "";
        talking += conversation ? "turns:" + i : conversationOpen ? "open-turns:" + i : "all";
        cmd.addAll(List.of("-cp", cp, VoiceBench.class.getName(), "client", relayUrl, hostKey, names[i],
            "" + tones[i], dir.toString(), "" + (i == 0 ? 0 : rejoins), talking, processing, audio,
            joined(tones)));
        ServiceProcess.Builder b = ServiceProcess.builder(names[i]).command(cmd).logDir(dir.resolve(names[i] + "-logs"));
        if (pulseSocket != null) {
          b.env("PULSE_SERVER", "unix:" + pulseSocket);
          b.env("PULSE_RUNTIME_PATH", dir.resolve("pulse-client-" + names[i]).toString());
          b.env("HOME", dir.resolve("pulse-client-" + names[i]).toString());
          // the member's own microphone as its default source: webrtc-java 0.14 cannot select a PulseAudio device
          // (its setRecordingDevice matches the device's GUID, which libwebrtc's PulseAudio module leaves empty,
          // so every choice lands on index 0, "default"); libpulse honours PULSE_SOURCE for the default stream
          b.env("PULSE_SOURCE", pulseMicrophone(names[i]));
          if (pulseLatencyMsec > 0) {
            b.env("PULSE_LATENCY_MSEC", "" + pulseLatencyMsec);
          }
        }
        ServiceProcess c = b.start();
        procs.add(c);
        clients.add(c);
      }
      for (ServiceProcess c : clients) {
        c.awaitOutput("STEADY", Duration.ofSeconds(180));
      }
      // everybody is in the call, sending and receiving: measure
      Thread.sleep(3000);
      long[] before = new long[3];
      for (int i = 0; i < 3; i++) {
        before[i] = cpuTicks(clients.get(i).pid());
      }
      Rtp[] rtpBefore = new Rtp[3];
      for (int i = 0; i < 3; i++) {
        rtpBefore[i] = lastRtp(clients.get(i));
      }
      String sfuBefore = sfuStats(signal, adminSecret);
      long pulseBefore = pulse == null ? 0 : cpuTicks(pulse.pid());
      java.util.Map<String, Long> threadsBefore = threadTicks(clients.get(1).pid());
      String loadBefore = loadAverage();
      System.out.println("measuring CPU over " + window + " s (load average " + loadBefore + ") ...");
      long t0 = System.nanoTime();
      Thread.sleep(window * 1000L);
      double secs = (System.nanoTime() - t0) / 1e9;
      java.util.Map<String, Long> threadsAfter = threadTicks(clients.get(1).pid());
      String loadAfter = loadAverage();
      String sfuAfter = sfuStats(signal, adminSecret);
      long pulseAfter = pulse == null ? 0 : cpuTicks(pulse.pid());
      System.out.println("=== voice bench (loopback, 3 client JVMs, " + (audio.equals("pulse")
          ? "PulseAudio device module (the bench's own pulseaudio server: a null sink as the speaker, each"
          + " member's tone as its default microphone)" : "headless audio, tone input") + ") ===");
      System.out.println("load average (1/5/15 min) before the window " + loadBefore + ", after " + loadAfter);
      System.out.println("voices (owner, bob, carol): " + joined(tones) + " Hz tones");
      System.out.println("client JVM options (the desktop app's): " + String.join(" ", desktopJvmOptions()));
      System.out.println("audio processing: " + (processing.equals("off") ? "OFF (diagnosis, not what users run)"
          : processing.equals("desktop") ? "desktop defaults (echo cancellation, noise suppression, gain control,"
          + " high-pass)" : processing + " (diagnosis, not what users run)") + (clientProperties.isEmpty() ? ""
          : "; client properties " + clientProperties));
      System.out.println("mode: " + (conversation ? "conversation (members take turns, 2 s each, the others muted)"
          : conversationOpen ? "open-mic conversation (members take turns, 2 s each, the others unmuted with room"
          + " noise at -60 dBFS on their microphone)" : "all three talking at once"));
      double sum = 0;
      List<String> warnings = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        double cpu = (cpuTicks(clients.get(i).pid()) - before[i]) / 100.0 / secs * 100;
        sum += cpu;
        Rtp r = lastRtp(clients.get(i)).minus(rtpBefore[i]);
        System.out.printf(Locale.ROOT, "%-6s CPU %.1f%% of one core over %d s, RSS %d MB, audio packets/s sent %.0f,"
            + " received %.0f (lost %d, concealed %.1f%% of samples)%n", names[i], cpu, window,
            rssKb(clients.get(i).pid()) / 1024, r.perSecond(r.sent()), r.perSecond(r.received()), r.lost(),
            r.samples() == 0 ? 0.0 : 100.0 * r.concealed() / r.samples());
        if (!conversation && !conversationOpen && r.perSecond(r.sent()) < 45) {
          warnings.add(names[i] + " sent " + Math.round(r.perSecond(r.sent())) + " packets/s, not 50: its voice did"
              + " not reach the encoder as sound (DTX), so the window is not a three-talker call");
        }
      }
      System.out.printf(Locale.ROOT, "SFU: received %.0f datagrams/s, forwarded %.0f RTP packets/s%n",
          (jsonLong(sfuAfter, "receivedDatagrams") - jsonLong(sfuBefore, "receivedDatagrams")) / secs,
          (jsonLong(sfuAfter, "forwardedPackets") - jsonLong(sfuBefore, "forwardedPackets")) / secs);
      for (String w : warnings) {
        System.out.println("WARNING: " + w);
      }
      System.out.printf(Locale.ROOT, "client CPU mean %.1f%% of one core (target <= 5%%)%n", sum / 3);
      if (pulse != null) {
        System.out.printf(Locale.ROOT, "pulseaudio server (the system sound server a desktop always runs; 3 clients'"
            + " capture and playout streams): CPU %.1f%% of one core, RSS %d MB%n", (pulseAfter - pulseBefore) / 100.0
            / secs * 100, rssKb(pulse.pid()) / 1024);
      }
      System.out.println("where bob's CPU goes (threads grouped by name, % of one core):");
      java.util.Map<String, Long> delta = new java.util.TreeMap<>();
      threadsAfter.forEach((tid, v) -> {
        String group = tid.substring(tid.indexOf(' ') + 1).replaceAll("[-#]?\\d+$", "");
        delta.merge(group, v - threadsBefore.getOrDefault(tid, 0L), Long::sum);
      });
      delta.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(10)
          .forEach(e -> System.out.printf(Locale.ROOT, "  %-28s %5.2f%%%n", e.getKey(), e.getValue() / 100.0 / secs * 100));
      List<Long> cold = new ArrayList<>();
      List<Long> warm = new ArrayList<>();
      for (ServiceProcess c : clients) {
        Matcher f = FIRST.matcher(c.output());
        while (f.find()) {
          (f.group(1).equals("warm") ? warm : cold).add(Long.parseLong(f.group(2)));
        }
      }
      List<Long> engineStart = new ArrayList<>();
      for (ServiceProcess c : clients) {
        Matcher f = Pattern.compile("ENGINE_MS (\\d+)").matcher(c.output());
        while (f.find()) {
          engineStart.add(Long.parseLong(f.group(1)));
        }
      }
      if (prestart) {
        System.out.println("voice engine pre-started after sign-in; its remaining wait at the first click, ms: "
            + engineStart);
        System.out.println("click-to-first-audio, first click of the process (engine pre-started), ms: " + cold);
      } else {
        System.out.println("voice engine start (native library, factory), ms: " + engineStart);
        System.out.println("click-to-first-audio cold (engine start included), ms: " + cold);
      }
      System.out.println("click-to-first-audio warm (engine running), ms: " + warm + "  median "
          + median(warm));
      done = true;
      return 0;
    } finally {
      for (int i = procs.size() - 1; i >= 0; i--) {
        procs.get(i).stop(Duration.ofSeconds(5));
      }
      if (done) {
        try {
          com.parchchat.bench.BenchFiles.deleteTree(dir); // the logs are kept only when the run failed
        } catch (IOException e) {
          System.out.println("WARNING: cannot delete " + dir + ": " + e.getMessage());
        }
      } else {
        System.out.println("logs kept in " + dir);
      }
    }
  }

  /**
   * Exactly the JVM options the desktop app relaunches itself with ({@code client.Relaunch.TUNED_OPTIONS}:
   * serial GC, C1 only, one compiler thread, small code cache and stacks), read from the client so the
   * bench cannot drift from what a user runs.
   */
  static List<String> desktopJvmOptions() {
    return com.parchchat.client.Relaunch.TUNED_OPTIONS;
  }

  private static String joined(double[] xs) {
    StringBuilder b = new StringBuilder();
    for (double x : xs) {
      b.append(b.length() == 0 ? "" : ",").append(x);
    }
    return b.toString();
  }

  private static final Pattern RTP = Pattern.compile(
      "RTP at=(\\d+) sent=(\\d+) received=(\\d+) lost=(-?\\d+) concealed=(\\d+) samples=(\\d+)");

  /**
   * A client's RTP counters (see {@link #rtpLine}) at client time {@code at} (epoch ms).
   */
  record Rtp(long at, long sent, long received, long lost, long concealed, long samples) {
    Rtp minus(Rtp o) {
      return new Rtp(at - o.at, sent - o.sent, received - o.received, lost - o.lost, concealed - o.concealed,
          samples - o.samples);
    }

    /** {@code count} per second over this difference's span. */
    double perSecond(long count) {
      return at <= 0 ? 0 : count * 1000.0 / at;
    }
  }

  /** The client's latest report of its RTP counters (once a second; zeros before the first). */
  static Rtp lastRtp(ServiceProcess c) {
    return parseLastRtp(c.output());
  }

  static Rtp parseLastRtp(String output) {
    Matcher m = RTP.matcher(output);
    Rtp last = new Rtp(0, 0, 0, 0, 0, 0);
    while (m.find()) {
      last = new Rtp(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
          Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)));
    }
    return last;
  }

  /** A top-level integer field of the SFU's stats JSON (-1 when absent). */
  static long jsonLong(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** The SFU's admin counters (JSON), or the error. */
  private static String sfuStats(int signalPort, String adminSecret) {
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + signalPort + "/admin/stats"))
              .header("Authorization", "Bearer " + adminSecret).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      return "unavailable: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static long median(List<Long> xs) {
    if (xs.isEmpty()) {
      return -1;
    }
    List<Long> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  /** The source name of member {@code name}'s microphone on the bench's PulseAudio server, and its description. */
  static String pulseMicrophone(String name) {
    return "parch_mic_" + name;
  }

  /**
   * Starts the bench's own PulseAudio server (not the system's: {@code -n} loads no default script, its
   * own socket, runtime and home directories under {@code dir}; stopped by PID with the other processes):
   * a null sink as everybody's speaker (48 kHz stereo, like a desktop's sound card) and one sine source per
   * member at that member's tone, named {@link #pulseMicrophone}, so every client picks its own microphone
   * by name through the engine's device selection and its capture is libwebrtc's PulseAudio module
   * pulling a real device stream, as on a desktop. Runs as root too (it warns, then works).
   */
  private static ServiceProcess startPulse(List<ServiceProcess> procs, Path dir, Path socket, double[] tones)
      throws IOException, InterruptedException {
    String[] names = {"owner", "bob", "carol"};
    List<String> script = new ArrayList<>();
    script.add("load-module module-null-sink sink_name=parch_speaker rate=48000 channels=2"
        + " sink_properties=device.description=parch_speaker");
    for (int i = 0; i < 3; i++) {
      // module-sine-source would be simpler, but it has a fixed 2 s block (no dynamic latency): libwebrtc then
      // gets its capture in bursts of ~1 s (Opus in DTX between them, first audio after ~1.8 s). A sine
      // played into a null sink, seen through a remap source of its monitor, is captured in 10 ms blocks like
      // a sound card's microphone.
      String tone = "parch_tone_" + names[i];
      script.add("load-module module-null-sink sink_name=" + tone + " rate=48000 channels=1");
      script.add("load-module module-sine sink=" + tone + " frequency=" + Math.round(tones[i]));
      script.add("load-module module-remap-source master=" + tone + ".monitor source_name=" + pulseMicrophone(names[i])
          + " channels=1 source_properties=device.description=" + pulseMicrophone(names[i]));
    }
    script.add("load-module module-native-protocol-unix auth-anonymous=1 socket=" + socket);
    script.add("set-default-sink parch_speaker");
    script.add("");
    Path pa = dir.resolve("bench.pa");
    Files.writeString(pa, String.join("\n", script));
    Path home = dir.resolve("pulse-home");
    Files.createDirectories(home.resolve("runtime"));
    ServiceProcess p = ServiceProcess.builder("pulseaudio").command(List.of("pulseaudio", "-n", "--daemonize=no",
            "--exit-idle-time=-1", "--use-pid-file=no", "--disallow-module-loading=no", "-F", pa.toString(),
            "--log-target=stderr"))
        .env("HOME", home.toString()).env("PULSE_RUNTIME_PATH", home.resolve("runtime").toString())
        .env("PULSE_STATE_PATH", home.resolve("state").toString()).logDir(dir.resolve("pulseaudio-logs")).start();
    procs.add(p);
    long until = System.nanoTime() + START.toNanos();
    while (!Files.exists(socket)) {
      if (!p.isAlive() || System.nanoTime() > until) {
        throw new IllegalStateException("pulseaudio did not start (is Debian pulseaudio installed?): " + p.tail(20));
      }
      Thread.sleep(50);
    }
    // Another application playing (silence) on the speaker, 20 ms latency, so the null sink runs like a sound
    // card that is playing: an otherwise idle null sink sleeps in 2 s blocks and wakes a new playout stream up to
    // ~1.7 s late (measured: a rejoin's first audio 1.7 s without this, 0.1-0.3 s with it), which a real
    // sound card does not do. Its own CPU is not counted (pacat, a separate process).
    procs.add(ServiceProcess.builder("pacat").command(List.of("pacat", "--playback", "--raw", "--format=s16le",
            "--rate=48000", "--channels=2", "--latency-msec=20", "--device=parch_speaker", "/dev/zero"))
        .env("PULSE_SERVER", "unix:" + socket).env("HOME", home.toString()).logDir(dir.resolve("pacat-logs")).start());
    // Likewise a recorder on each tone sink's monitor keeps that "microphone" running in 20 ms blocks: when a
    // client mutes, libwebrtc stops its capture, and an idle tone sink would deliver the restarted capture's
    // first samples up to 2 s late (measured: talkers' turns mostly lost in --conversation), unlike a sound card.
    for (String name : names) {
      procs.add(ServiceProcess.builder("parec-" + name).command(List.of("parec", "--raw", "--format=s16le",
              "--rate=48000", "--channels=1", "--latency-msec=20", "--device=parch_tone_" + name + ".monitor",
              "/dev/null"))
          .env("PULSE_SERVER", "unix:" + socket).env("HOME", home.toString())
          .logDir(dir.resolve("parec-" + name + "-logs")).start());
    }
    return p;
  }

  private static ServiceProcess start(List<ServiceProcess> procs, Path dir, String name, List<String> command) {
    ServiceProcess p = ServiceProcess.builder(name).command(command).logDir(dir.resolve(name + "-logs")).start();
    procs.add(p);
    return p;
  }

  private static ServiceProcess start(List<ServiceProcess> procs, Path dir, String name, Path jar, List<String> args) {
    ServiceProcess p = ServiceProcess.builder(name).jar(jar, List.of("-Xmx256m", "-XX:+UseSerialGC"), args)
        .logDir(dir.resolve(name + "-logs")).start();
    procs.add(p);
    return p;
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
  }

  /** utime+stime per thread, keyed "{@code <tid> <name>}" (threads that ended are missing). */
  private static java.util.Map<String, Long> threadTicks(long pid) {
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(t.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return out;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  private static String secret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // ---- one client JVM ------------------------------------------------------------------------

  /** {@code client <relay> <hostKey> <name> <toneHz> <sharedDir> <rejoins>}. */
  private static void client(String[] a) throws Exception {
    URI relay = URI.create(a[1]);
    String hostKey = a[2];
    String name = a[3];
    double tone = Double.parseDouble(a[4]);
    Path shared = Path.of(a[5]);
    int rejoins = Integer.parseInt(a[6]);
    boolean prestart = a[7].startsWith("prestart,");
    String talking = prestart ? a[7].substring("prestart,".length()) : a[7];
    boolean openMic = talking.startsWith("open-turns:");
    int turn = talking.startsWith("turns:") ? Integer.parseInt(talking.substring(6))
        : openMic ? Integer.parseInt(talking.substring(11)) : -1;
    // the desktop defaults (stats every 500 ms), with the headless audio module and a tone as the voice, or
    // (--audio pulse) the PulseAudio module and this member's own microphone on the bench's server
    boolean pulse = a[9].equals("pulse");
    AudioMode mode = pulse ? AudioMode.DEVICE : AudioMode.HEADLESS;
    VoiceConfig desktop = VoiceConfig.desktop().withAudioMode(mode);
    String proc = a[8];
    VoiceConfig config = new VoiceConfig(mode, desktop.echoCancellation() && !proc.matches("off|no-aec"),
        desktop.noiseSuppression() && !proc.matches("off|no-ns"), desktop.gainControl() && !proc.matches("off|no-agc"),
        desktop.highPassFilter() && !proc.matches("off|no-hpf"), desktop.vadThreshold(), desktop.negotiationTimeout(),
        desktop.statsInterval(), desktop.maxRejoinAttempts(), desktop.rejoinBaseDelay());
    boolean owner = name.equals("owner");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    ClientConfig cfg = ClientConfig.defaults(shared.resolve("client-" + name)).withDefaultRelay(relay);
    try (ParchClient client = new ParchClient(cfg)) {
      client.register(relay, name, name, name + "@example.org", "password-" + name).get(30, TimeUnit.SECONDS);
      // the app starts the engine off the FX thread once a space with a voice channel is shown (VoiceDock.prestart)
      java.util.concurrent.CompletableFuture<VoiceEngine> early = !prestart ? null
          : java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            VoiceEngine e = new VoiceEngine(config);
            e.warmUp(Duration.ofSeconds(3));
            return e;
          });
      HostSession host = client.addHost(hostKey);
      until(() -> host.phase().get() == HostSession.Phase.READY, deadline);
      Channel lounge;
      if (owner) {
        SpaceState space = host.createSpace("Bench").get(10, TimeUnit.SECONDS);
        lounge = host.createChannel(space.id(), "Lounge", ChannelKind.VOICE).get(10, TimeUnit.SECONDS);
        for (String who : List.of("bob", "carol")) {
          until(() -> {
            try {
              host.inviteUser(space.id(), who).get(10, TimeUnit.SECONDS);
              return true;
            } catch (Exception e) {
              return false;
            }
          }, deadline);
        }
      } else {
        until(() -> !host.invites().get().isEmpty(), deadline);
        SpaceState space = host.acceptInvite(host.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
        until(() -> space.channels().get().stream().anyMatch(c -> c.kind() == ChannelKind.VOICE), deadline);
        lounge = space.channels().get().stream().filter(c -> c.kind() == ChannelKind.VOICE).findFirst().orElseThrow();
        until(() -> Files.exists(shared.resolve("owner-in-call")), deadline);
      }
      double[] tones = java.util.Arrays.stream(a[10].split(",")).mapToDouble(Double::parseDouble).toArray();
      double ownerHz = tones[0];
      for (int round = 0; round <= rejoins; round++) {
        long click = System.nanoTime();
        VoiceEngine engine = round > 0 ? null : early != null ? early.get(60, TimeUnit.SECONDS) : new VoiceEngine(config);
        if (engine != null) {
          System.out.println("ENGINE_MS " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - click));
          if (pulse) {
            if (engine.mode() != AudioMode.DEVICE) {
              throw new IllegalArgumentException("no PulseAudio server reachable at $PULSE_SERVER");
            }
            // the microphone is the default source, PULSE_SOURCE (see VoiceBench#call): no selection
            System.out.println("MICROPHONES " + engine.microphones().stream().map(d -> d.getName()).toList());
          }
        }
        try {
          Holder.engine = engine != null ? engine : Holder.engine;
          VoiceSession voice = VoiceSession.overWebSocket(host, Holder.engine, client.http());
          FirstTone first = new FirstTone(ownerHz, tones);
          // with PulseAudio each member's microphone is its own sine source on the bench's server
          VoiceInput input = pulse ? VoiceInput.microphone() : VoiceInput.tone(tone);
          java.util.concurrent.atomic.AtomicLong connectedAt = new java.util.concurrent.atomic.AtomicLong();
          VoiceCall call = voice.join(lounge.id(), input, new VoiceListener() {
            @Override
            public void onStateChanged(VoiceCall.State state, String detail) {
              if (state == VoiceCall.State.CONNECTED) {
                connectedAt.compareAndSet(0, System.nanoTime());
              }
            }
          })
              .get(30, TimeUnit.SECONDS);
          if (!owner) {
            call.setRemoteAudioTap(first); // the owner measures nothing (it would listen for its own tone forever)
          }
          if (owner) {
            until(() -> call.state() == VoiceCall.State.CONNECTED, deadline);
            Files.writeString(shared.resolve("owner-in-call"), "yes");
            System.out.println("STEADY");
            talk(call, voice, turn, openMic, shared, name, deadline);
          }
          until(() -> first.at != 0, deadline);
          // the desktop app installs no tap: measure the call without ours
          call.setRemoteAudioTap(null);
          System.out.println("FIRST_AUDIO_MS " + (round > 0 ? "warm" : prestart ? "first" : "cold") + " "
              + TimeUnit.NANOSECONDS.toMillis(first.at - click) + " (first decoded frame "
              + TimeUnit.NANOSECONDS.toMillis(first.firstFrame - click) + " ms, connected " + (connectedAt.get() == 0 ? -1
              : TimeUnit.NANOSECONDS.toMillis(connectedAt.get() - click))
              + " ms)");
          if (round == rejoins) {
            System.out.println("STEADY");
            talk(call, voice, turn, openMic, shared, name, deadline);
          }
          voice.leave();
          until(() -> call.state() == VoiceCall.State.LEFT, deadline);
          Thread.sleep(300);
        } catch (IllegalStateException timedOut) {
          return;
        }
      }
    } finally {
      if (Holder.engine != null) {
        Holder.engine.close();
      }
    }
  }

  /**
   * Keeps the call until the deadline. With {@code turn >= 0} the three members take turns: in each
   * 2 s slot, member {@code slot % 3} speaks and the others are muted (their send stream stops), or
   * with {@code openMic} stay unmuted while their tone microphone delivers room noise (the send stream,
   * audio processing and the encoder with Opus DTX keep running, as for a user with voice activation).
   */
  private static void talk(VoiceCall call, VoiceSession voice, int turn, boolean openMic, Path shared, String name,
      long deadline)
      throws InterruptedException, IOException {
    if (turn < 0) {
      // one wake-up a second (the bench's own thread must not show up in the client's CPU): report the
      // packets received so far, so the bench can check audio really flowed through the window
      while (System.nanoTime() < deadline) {
        Thread.sleep(1000);
        System.out.println(rtpLine(call));
      }
      throw new IllegalStateException("deadline");
    }
    // turns start once everybody measured first audio (a muted owner would delay the joiners' figure)
    Files.writeString(shared.resolve(name + "-steady"), "yes");
    until(() -> Files.exists(shared.resolve("bob-steady")) && Files.exists(shared.resolve("carol-steady")), deadline);
    Boolean listening = null;
    long reported = 0;
    while (System.nanoTime() < deadline) {
      if (System.nanoTime() - reported > 1_000_000_000L) {
        reported = System.nanoTime();
        System.out.println(rtpLine(call));
      }
      boolean mine = (System.currentTimeMillis() / 2000) % 3 == turn;
      if (listening == null || listening == mine) {
        if (openMic) {
          Holder.engine.setToneSpeaking(mine); // unmuted throughout: room noise while listening
        } else {
          voice.setMuted(!mine);
        }
        listening = !mine;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("deadline");
  }

  /**
   * One line with the call's RTP counters from libwebrtc's stats: {@code RTP sent=<our packets sent>
   * received=<packets received, all members> lost=<packets lost> concealed=<samples concealed>
   * samples=<samples received> streams=<ssrc:received,...>}. Sent and received together show where
   * packets go missing: a sender that sends fewer than 50 a second (DTX, a silenced microphone), the SFU,
   * or the receiver.
   */
  private static String rtpLine(VoiceCall call) {
    long sent = 0;
    long received = 0;
    long lost = 0;
    long concealed = 0;
    long samples = 0;
    StringBuilder streams = new StringBuilder();
    try {
      for (dev.onvoid.webrtc.RTCStats st : call.rawStats().get(2, TimeUnit.SECONDS).values()) {
        java.util.Map<String, Object> a = st.getAttributes();
        if (st.getType() == dev.onvoid.webrtc.RTCStatsType.OUTBOUND_RTP) {
          sent += num(a.get("packetsSent"));
        } else if (st.getType() == dev.onvoid.webrtc.RTCStatsType.INBOUND_RTP) {
          long r = num(a.get("packetsReceived"));
          received += r;
          lost += num(a.get("packetsLost"));
          concealed += num(a.get("concealedSamples"));
          samples += num(a.get("totalSamplesReceived"));
          streams.append(streams.length() == 0 ? "" : ",").append(a.get("ssrc")).append(':').append(r);
        }
      }
    } catch (Exception e) {
      return "RTP unavailable " + e;
    }
    return "RTP at=" + System.currentTimeMillis() + " sent=" + sent + " received=" + received + " lost=" + lost
        + " concealed=" + concealed + " samples=" + samples + " streams=" + streams;
  }

  private static long num(Object o) {
    return o instanceof Number ? ((Number) o).longValue() : 0;
  }

  /** The engine kept across rejoins of one client JVM. */
  private static final class Holder {
    static VoiceEngine engine;
  }

  /** Notes the first 10 ms frame whose recent window carries {@code hz}. */
  private static final class FirstTone implements com.parchchat.client.voice.RemoteAudioTap {
    private final double hz;
    private final double[] tones;
    private final PcmRecorder recorder = new PcmRecorder(960);
    private final FrequencyDetector detector = new FrequencyDetector();
    volatile long at;
    /** The first decoded frame of the member (any content, silence before the connection too). */
    volatile long firstFrame;

    FirstTone(double hz, double[] tones) {
      this.hz = hz;
      this.tones = tones;
    }

    @Override
    public void onAudio(String userId, byte[] pcm, int bits, int rate, int channels, int frames) {
      if (at != 0) {
        return;
      }
      long now = System.nanoTime();
      if (firstFrame == 0) {
        firstFrame = now;
      }
      recorder.accept(pcm, bits, rate, channels, frames);
      if (recorder.analyze(detector, tones).isPresent(hz)) {
        at = now;
      }
    }
  }

  private static void until(BooleanSupplier c, long deadline) throws InterruptedException {
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out");
      }
      Thread.sleep(5);
    }
  }
}
