package com.parchchat.bench.soak;

import com.parchchat.client.core.ChannelLog;
import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.core.Subscription;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Soak of chat and voice (issue 10 point 4): the real relay, host and (with {@code --sfu-jar}) SFU
 * jars as processes; N headless {@code client.core} clients in one space; clients 1..N-2 post in turn
 * so that each posts once per {@code --interval-ms}; clients 0 and N-1 only read. With an SFU,
 * {@code --voice-participants} of the posting clients also sit in a voice channel of that space, joined
 * the normal way (host authorizes, relay grants, SFU call through {@code client.voice}), each sending
 * its own tone, and a frequency detector checks once a second that everyone hears everyone else. Each
 * voice participant runs in its own JVM ({@link SoakVoiceParticipant}, started with the desktop
 * client's JVM options), as each real user is their own process: a native crash in libwebrtc ends that
 * participant only, is reported (a window's {@code voiceFailures}, exit code 1) and never takes the
 * chat clients down.
 *
 * <p>Every {@code --sample-seconds} it prints a window: messages sent and received, end-to-end
 * latency (sender → relay → host → relay → reader) p50/p99/max, for the relay, host and SFU processes
 * heap used after a full GC ({@code jcmd GC.run} then {@code GC.heap_info}), open file descriptors
 * ({@code /proc/PID/fd}) and threads, and for voice the packets received in the window, the worst
 * loss fraction and how many (listener, speaker) pairs were heard. At the end it stops posting, waits
 * until both readers hold every sent message, and reports missing and duplicated messages.
 *
 * <pre>
 * java -cp bench/target-x/parch-bench.jar com.parchchat.bench.soak.SoakBench \
 *   --relay-jar relay/target-x/parch-relay.jar --host-jar host/target-x/parch-host.jar \
 *   --sfu-jar sfu/target-x/parch-sfu.jar --clients 500 --duration-seconds 1800
 * </pre>
 */
@Command(name = "soak", mixinStandardHelpOptions = true)
public final class SoakBench implements Callable<Integer> {
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  private static final Pattern THREADS = Pattern.compile("Threads:\\s+(\\d+)");

  @Option(names = "--relay-jar", required = true) Path relayJar;
  @Option(names = "--host-jar", required = true) Path hostJar;
  @Option(names = "--sfu-jar", description = "with it, a voice room runs during the soak") Path sfuJar;
  @Option(names = "--clients", defaultValue = "500") int clientCount;
  @Option(names = "--voice-participants", defaultValue = "3") int voiceParticipants;
  @Option(names = "--duration-seconds", defaultValue = "120") int durationSeconds;
  @Option(names = "--interval-ms", defaultValue = "60000", description = "each posting client posts this often")
  int intervalMs;
  @Option(names = "--sample-seconds", defaultValue = "15") int sampleSeconds;
  @Option(names = "--drain-seconds", defaultValue = "120", description = "wait at most this long for delivery")
  int drainSeconds;
  @Option(names = "--seed-wave", defaultValue = "25", description = "accounts and sessions set up at once")
  int seedWave;
  @Option(names = "--work-dir", description = "data and logs (default: a new temp dir)") Path workDir;

  /** Heap after a full GC, open fds and threads of one process. */
  public record Proc(double heapAfterGcMiB, long fds, long threads) {
    String columns() {
      return String.format(Locale.ROOT, "%7.1f %5d %4d", heapAfterGcMiB, fds, threads);
    }
  }

  /** One sample window. {@code sfu} is null without a voice room. */
  public record Window(int seconds, double load1, long sent, long received, double p50Ms, double p99Ms,
      double maxMs, Proc relay, Proc host, Proc sfu, long voicePackets, double voiceLossMax, int voicePairsHeard,
      int voicePairs, int voiceFailures) {
  }

  /**
   * The whole run: per window figures, then delivery after the drain (over both readers; a message
   * one reader lacks counts once per reader), and voice participants whose process died or never
   * got into the call.
   */
  public record Report(int clients, int voiceParticipants, List<Window> windows, long sent, long missing,
      long duplicates, int voiceFailures) {
  }

  /**
   * JVM options of each voice participant: those the desktop client relaunches itself with, so a
   * participant costs what a real user's client costs.
   */
  static final List<String> DESKTOP_JVM_OPTIONS = com.parchchat.client.Relaunch.TUNED_OPTIONS;

  private final List<Process> processes = new ArrayList<>();
  private final List<ParchClient> clients = new ArrayList<>();
  private final List<VoiceChild> talkers = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new SoakBench()).execute(args));
  }

  /** Runs a soak with command-line style arguments and returns its figures (for tests). */
  public static Report run(String... args) throws Exception {
    SoakBench b = new SoakBench();
    new CommandLine(b).parseArgs(args);
    return b.soak();
  }

  @Override
  public Integer call() throws Exception {
    Report r = soak();
    System.out.printf(Locale.ROOT, "soak done: %d clients, %d voice participants, %d messages sent, %d missing, "
        + "%d duplicated, %d voice participants failed%n", r.clients(), r.voiceParticipants(), r.sent(), r.missing(),
        r.duplicates(), r.voiceFailures());
    return r.missing() == 0 && r.duplicates() == 0 && r.voiceFailures() == 0 ? 0 : 1;
  }

  /** Reads one observer's view: first sighting of each message by content, duplicates by id. */
  private static final class Reader {
    final Map<String, Long> seen = new ConcurrentHashMap<>();
    final AtomicLong duplicates = new AtomicLong();
    final Recorder latency;
    Subscription handle;

    Reader(Recorder latency) {
      this.latency = latency;
    }

    void lines(List<ChatLine> lines) {
      for (ChatLine l : lines) {
        line(l);
      }
    }

    void line(ChatLine l) {
      if (l.pending()) {
        return;
      }
      String text = l.message().content();
      String[] parts = text.split(" ");
      if (parts.length != 4 || !parts[0].equals("soak")) {
        return;
      }
      Long prev = seen.putIfAbsent(text, l.message().id());
      if (prev == null) {
        if (latency != null) {
          latency.recordValue(Math.max(0, (System.nanoTime() - Long.parseLong(parts[3])) / 1_000));
        }
      } else if (prev != l.message().id()) {
        duplicates.incrementAndGet();
      }
    }
  }

  /**
   * A voice participant's process ({@link SoakVoiceParticipant}) and what its last report said. A
   * thread reads its stdout: {@code READY}, then an {@code EAR} line a second; anything else goes to
   * {@code voice-N.out} in the work dir.
   */
  private static final class VoiceChild {
    final int index;
    final String userId;
    final double hz;
    final Process process;
    volatile boolean ready;
    volatile long packets;
    volatile double loss;
    volatile long lastReportNanos;
    volatile Map<String, Set<Double>> heard = Map.of();
    long packetsAtLastWindow;
    boolean failureCounted;

    VoiceChild(int index, String userId, double hz, Process process) {
      this.index = index;
      this.userId = userId;
      this.hz = hz;
      this.process = process;
    }

    void readOutput(Path out) {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); Writer log = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("EAR ")) {
            String[] f = line.split(" ");
            try {
              heard = SoakVoiceParticipant.parseHeard(f, 4);
              loss = Double.parseDouble(f[2]);
              packets = Long.parseLong(f[1]);
              lastReportNanos = System.nanoTime();
            } catch (RuntimeException e) {
              log.write("unparsable: " + line + "\n");
            }
            continue;
          }
          if (line.startsWith("READY ")) {
            ready = true;
          }
          log.write(line);
          log.write('\n');
          log.flush();
        }
      } catch (IOException e) {
        // the process is gone; its death is noticed by isAlive()
      }
    }

    /** What it hears now (its last report, if at most 2.5 s old). */
    Map<String, Set<Double>> hearsNow() {
      return process.isAlive() && System.nanoTime() - lastReportNanos < 2_500_000_000L ? heard : Map.of();
    }
  }

  Report soak() throws Exception {
    if (clientCount < 3 + voiceParticipants) {
      throw new IllegalArgumentException("--clients must be at least 3 + --voice-participants");
    }
    Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("parch-soak");
    // Ctrl-C or kill: the service processes must not outlive the bench
    Thread reaper = new Thread(() -> {
      talkers.forEach(t -> t.process.destroyForcibly());
      processes.forEach(Process::destroyForcibly);
    }, "soak-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      int port = freePort();
      URI relay = URI.create("http://127.0.0.1:" + port);
      Process sfuProc = null;
      StringBuilder relayYaml = new StringBuilder("limits:\n  registerPerIpPerHour: 1000000\n"
          + "  loginPerIpPerMinute: 1000000\n");
      List<String> relayCmd = new ArrayList<>(List.of("java", "-Xmx256m", "-jar", relayJar.toString(),
          "--config", dir.resolve("relay.yaml").toString(), "--port", String.valueOf(port),
          "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024"));
      boolean voice = sfuJar != null && voiceParticipants > 0;
      if (voice) {
        int signal = freePort();
        int media = freeUdpPort();
        String sfuSecret = secret();
        String adminSecret = secret();
        Files.writeString(dir.resolve("sfu.yaml"), String.join("\n",
            "signalHost: 127.0.0.1", "signalPort: " + signal, "mediaHost: 127.0.0.1", "mediaPort: " + media,
            "advertisedAddresses: []", "tokenSecret: " + sfuSecret, "adminSecret: " + adminSecret,
            "roomCapacity: 50", "maxRooms: 100", "loudestN: 0", "maxFrameBytes: 65536",
            "speakerIntervalMillis: 300", "consentTimeoutSeconds: 30",
            "srtpProfiles: [AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80]", ""));
        sfuProc = start(dir, "sfu", List.of("java", "-Xmx256m", "-jar", sfuJar.toString(),
            "--config", dir.resolve("sfu.yaml").toString()));
        awaitLog(dir.resolve("sfu.log"), Pattern.compile("SFU ready in"), "SFU ready");
        relayYaml.append("voice:\n  sfuSecret: ").append(sfuSecret).append("\n  sfuAdminSecret: ")
            .append(adminSecret).append('\n');
        relayCmd.addAll(List.of("--sfu-url", "ws://127.0.0.1:" + signal + "/ws",
            "--sfu-admin-url", "http://127.0.0.1:" + signal));
      }
      Files.writeString(dir.resolve("relay.yaml"), relayYaml.toString());
      Process relayProc = start(dir, "relay", relayCmd);
      awaitHealthy(relay);
      Files.createDirectories(dir.resolve("host"));
      Files.writeString(dir.resolve("host/host.yaml"), "relay: " + relay + "\nname: Soak\n"
          + "messageBurst: 1000\nmessagesPerSecond: 1000.0\nvoiceCapacity: " + Math.max(3, voiceParticipants)
          + "\n");
      Process hostProc = start(dir, "host", List.of("java", "-Xmx256m", "-jar", hostJar.toString(),
          "--data-dir", dir.resolve("host").toString(), "--relay", relay.toString(), "--name", "Soak"));
      String hostKey = awaitLog(dir.resolve("host.log"), HOST_KEY, "Host Key in host log");

      progress("seeding %d clients", clientCount);
      List<HostSession> sessions = seed(dir, relay, hostKey);
      String ch = channel(sessions.get(0), ChannelKind.TEXT);
      if (voice) {
        joinVoice(dir, relay, hostKey);
      }
      Recorder latency = new Recorder(3);
      List<Reader> readers = List.of(new Reader(latency), new Reader(null));
      List<HostSession> readerSessions = List.of(sessions.get(0), sessions.get(clientCount - 1));
      for (int i = 0; i < readers.size(); i++) {
        Reader r = readers.get(i);
        Subscription[] handle = new Subscription[1];
        List<ChatLine> initial = readerSessions.get(i).log(ch).listen(change -> {
          if (change instanceof ChannelLog.Inserted) {
            r.lines(((ChannelLog.Inserted) change).lines());
          } else if (change instanceof ChannelLog.Replaced) {
            r.line(((ChannelLog.Replaced) change).line());
          } else if (change instanceof ChannelLog.Reset) {
            r.lines(((ChannelLog.Reset) change).lines());
          }
        }, handle);
        r.lines(initial);
        r.handle = handle[0];
      }

      int posters = clientCount - 2;
      System.out.printf(Locale.ROOT, "soak: %d clients (%d posting, one post each per %d ms = %.1f msg/s offered), "
          + "%d in voice, %d s, windows of %d s%n", clientCount, posters, intervalMs, posters * 1000.0 / intervalMs,
          voice ? voiceParticipants : 0, durationSeconds, sampleSeconds);
      System.out.println("   t load1   sent  recvd  p50_ms  p99_ms  max_ms | relay heapMiB fds thr | "
          + "host heapMiB fds thr | sfu heapMiB fds thr | voice pkts loss heard failed");
      Set<String> sent = ConcurrentHashMap.newKeySet();
      List<Window> windows = new ArrayList<>();
      long t0 = System.nanoTime();
      long end = t0 + TimeUnit.SECONDS.toNanos(durationSeconds);
      long nextSample = t0 + TimeUnit.SECONDS.toNanos(sampleSeconds);
      long nextEarCheck = t0;
      long tickNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs) / posters;
      long nextPost = t0;
      int next = 1;
      long seq = 0;
      Set<String> heardPairs = new HashSet<>();
      Histogram window = null;
      // a window that ends exactly at the end (duration a multiple of the window) is still sampled
      while (System.nanoTime() < end || nextSample <= end) {
        long now = System.nanoTime();
        while (now >= nextPost) {
          String text = "soak " + next + " " + seq++ + " " + System.nanoTime();
          sessions.get(next).send(ch, text, null);
          sent.add(text);
          next = next % posters + 1;
          nextPost += tickNanos;
        }
        if (voice && now >= nextEarCheck) {
          listen(heardPairs);
          nextEarCheck += TimeUnit.SECONDS.toNanos(1);
        }
        if (now >= nextSample) {
          window = latency.getIntervalHistogram(window);
          Window w = sample(t0, sent.size(), readers.get(0).seen.size(), window, relayProc.pid(), hostProc.pid(),
              sfuProc == null ? -1 : sfuProc.pid(), heardPairs.size(), voiceFailures());
          heardPairs.clear();
          windows.add(w);
          print(w);
          nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
        }
        long sleep = Math.min(nextPost, Math.min(nextSample, voice ? nextEarCheck : Long.MAX_VALUE))
            - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(Math.min(sleep, TimeUnit.MILLISECONDS.toNanos(200)));
        }
      }

      progress("posting stopped after %d messages; waiting up to %d s for delivery", sent.size(), drainSeconds);
      long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
      while (System.nanoTime() < drainEnd && !readers.stream().allMatch(r -> r.seen.keySet().containsAll(sent))) {
        Thread.sleep(200);
      }
      long missing = 0;
      long duplicates = 0;
      for (Reader r : readers) {
        Set<String> lacking = new HashSet<>(sent);
        lacking.removeAll(r.seen.keySet());
        missing += lacking.size();
        duplicates += r.duplicates.get();
        r.handle.close();
      }
      return new Report(clientCount, voice ? voiceParticipants : 0, List.copyOf(windows), sent.size(), missing,
          duplicates, voiceFailures());
    } finally {
      // closing its stdin makes a participant leave the call and exit
      for (VoiceChild t : talkers) {
        try {
          t.process.getOutputStream().close();
        } catch (IOException e) {
          // already gone
        }
      }
      for (VoiceChild t : talkers) {
        if (!t.process.waitFor(15, TimeUnit.SECONDS)) {
          t.process.destroy();
          if (!t.process.waitFor(5, TimeUnit.SECONDS)) {
            t.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          }
        }
      }
      clients.parallelStream().forEach(ParchClient::close);
      for (int i = processes.size() - 1; i >= 0; i--) {
        Process p = processes.get(i);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  /** Once a second: which (listener, speaker) pairs hear the speaker's tone right now. */
  private void listen(Set<String> heardPairs) {
    for (VoiceChild listener : talkers) {
      Map<String, Set<Double>> hears = listener.hearsNow();
      for (VoiceChild speaker : talkers) {
        if (speaker != listener && hears.getOrDefault(speaker.userId, Set.of()).contains(speaker.hz)) {
          heardPairs.add(listener.userId + ">" + speaker.userId);
        }
      }
    }
  }

  /** Participants that died or never got into the call, each reported once when first noticed. */
  private int voiceFailures() {
    int failures = 0;
    for (VoiceChild t : talkers) {
      if (!t.process.isAlive() || !t.ready) {
        if (!t.failureCounted) {
          t.failureCounted = true;
          progress("VOICE PARTICIPANT %d FAILED: %s (see voice-%d.out / voice-%d.err in the work dir)", t.index,
              t.process.isAlive() ? "never got into the call" : "process exited with " + t.process.exitValue(),
              t.index, t.index);
        }
        failures++;
      }
    }
    return failures;
  }

  private Window sample(long t0, long sent, long received, Histogram h, long relayPid, long hostPid, long sfuPid,
      int heard, int voiceFailures) throws Exception {
    long packets = 0;
    double loss = 0;
    for (VoiceChild t : talkers) {
      long now = t.packets;
      packets += now - t.packetsAtLastWindow;
      t.packetsAtLastWindow = now;
      if (t.process.isAlive()) {
        loss = Math.max(loss, t.loss);
      }
    }
    int pairs = talkers.size() * (talkers.size() - 1);
    return new Window((int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), load1(), sent, received,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
        proc(relayPid), proc(hostPid), sfuPid < 0 ? null : proc(sfuPid), packets, loss, heard, pairs, voiceFailures);
  }

  private static void print(Window w) {
    System.out.printf(Locale.ROOT, "%4d %5.1f %6d %6d %7.1f %7.1f %7.1f | %s | %s | %s | %5d %4.2f %d/%d %d%n",
        w.seconds(), w.load1(), w.sent(), w.received(), w.p50Ms(), w.p99Ms(), w.maxMs(), w.relay().columns(),
        w.host().columns(), w.sfu() == null ? "      -     -    -" : w.sfu().columns(), w.voicePackets(),
        w.voiceLossMax(), w.voicePairsHeard(), w.voicePairs(), w.voiceFailures());
  }

  static Proc proc(long pid) throws Exception {
    return new Proc(heapAfterGcMiB(pid), fds(pid), threads(pid));
  }

  /** Heap used right after a full GC of that JVM, in MiB ({@code jcmd}). */
  static double heapAfterGcMiB(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : -1;
  }

  static long fds(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      return s.count();
    }
  }

  static long threads(long pid) throws IOException {
    Matcher m = THREADS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static double load1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  /**
   * Registers the clients, puts them all in one space and opens its text channel. Accounts are made
   * and sessions attached in waves of {@code --seed-wave}: 500 Argon2 registrations and WebSocket
   * authentications at once time out on a loaded 2-core machine, which is not what a soak measures.
   */
  private List<HostSession> seed(Path dir, URI relay, String hostKey) throws Exception {
    for (int i = 0; i < clientCount; i++) {
      clients.add(new ParchClient(ClientConfig.defaults(dir.resolve("cfg-" + i)).withDefaultRelay(relay)));
    }
    for (int from = 0; from < clientCount; from += seedWave) {
      int to = Math.min(clientCount, from + seedWave);
      List<CompletableFuture<?>> wave = new ArrayList<>();
      for (int i = from; i < to; i++) {
        wave.add(account(clients.get(i), relay, i, 5));
      }
      CompletableFuture.allOf(wave.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
    }
    progress("%d registered", clientCount);
    List<HostSession> sessions = new ArrayList<>();
    for (int from = 0; from < clientCount; from += seedWave) {
      int to = Math.min(clientCount, from + seedWave);
      for (int i = from; i < to; i++) {
        sessions.add(clients.get(i).addHost(hostKey));
      }
      waitFor(() -> sessions.stream().allMatch(h -> h.phase().get() == HostSession.Phase.READY),
          "host sessions ready");
    }
    waitFor(() -> sessions.stream().allMatch(h -> h.phase().get() == HostSession.Phase.READY), "all host sessions ready");
    HostSession owner = sessions.get(0);
    SpaceState space = owner.createSpace("Soak").get(30, TimeUnit.SECONDS);
    if (sfuJar != null && voiceParticipants > 0) {
      owner.createChannel(space.id(), "Lounge", ChannelKind.VOICE).get(30, TimeUnit.SECONDS);
    }
    for (int from = 1; from < clientCount; from += seedWave) {
      int to = Math.min(clientCount, from + seedWave);
      List<CompletableFuture<?>> invited = new ArrayList<>();
      for (int i = from; i < to; i++) {
        invited.add(owner.inviteUser(space.id(), "soak" + i));
      }
      CompletableFuture.allOf(invited.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
      List<CompletableFuture<?>> accepted = new ArrayList<>();
      for (int i = from; i < to; i++) {
        HostSession h = sessions.get(i);
        waitFor(() -> !h.invites().get().isEmpty(), "invite for soak" + i);
        accepted.add(h.acceptInvite(h.invites().get().get(0).id()));
      }
      CompletableFuture.allOf(accepted.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
    }
    progress("%d members in the space", clientCount);
    String ch = channel(owner, ChannelKind.TEXT);
    for (int from = 0; from < clientCount; from += seedWave) {
      List<CompletableFuture<?>> opened = new ArrayList<>();
      for (HostSession h : sessions.subList(from, Math.min(clientCount, from + seedWave))) {
        waitFor(() -> !h.spaces().get().isEmpty(), "space visible");
        opened.add(h.openChannel(ch));
      }
      CompletableFuture.allOf(opened.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
    }
    return sessions;
  }

  /** Registers user {@code i}; a timed-out attempt is retried, as a login if the account was made. */
  private static CompletableFuture<Object> account(ParchClient c, URI relay, int i, int attempts) {
    return c.register(relay, "soak" + i, "Soak " + i, "soak" + i + "@example.org", "password-" + i)
        .<Object>thenApply(u -> u)
        .exceptionallyCompose(e -> attempts <= 1 ? CompletableFuture.failedFuture(e)
            : c.login(relay, "soak" + i, "password-" + i, false).<Object>thenApply(u -> u)
                .exceptionallyCompose(e2 -> account(c, relay, i, attempts - 1)));
  }

  /**
   * Posting clients 1..V join the voice channel, each with its own tone, each in its own JVM (logged in
   * as that user once more, like a second device), and should hear each other. A participant that does
   * not get in is reported and counted, and the soak goes on with the others.
   */
  private void joinVoice(Path dir, URI relay, String hostKey) throws Exception {
    double[] tones = new double[voiceParticipants];
    StringJoiner all = new StringJoiner(",");
    for (int i = 0; i < voiceParticipants; i++) {
      tones[i] = 440 + 110 * i;
      all.add(String.format(Locale.ROOT, "%.0f", tones[i]));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // absolute: the participant runs in the work dir
    StringJoiner classPath = new StringJoiner(File.pathSeparator);
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classPath.add(Path.of(e).toAbsolutePath().toString());
    }
    for (int i = 0; i < voiceParticipants; i++) {
      int user = i + 1;
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.addAll(DESKTOP_JVM_OPTIONS);
      cmd.add("-XX:ErrorFile=" + dir.resolve("voice-" + i + "-hs_err-%p.log"));
      cmd.addAll(List.of("-cp", classPath.toString(), SoakVoiceParticipant.class.getName(), relay.toString(), hostKey,
          "soak" + user, "password-" + user, String.format(Locale.ROOT, "%.0f", tones[i]), all.toString(),
          dir.resolve("voice-cfg-" + i).toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
          .redirectError(dir.resolve("voice-" + i + ".err").toFile());
      pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
      VoiceChild t = new VoiceChild(i, clients.get(user).account().get().user().id(), tones[i], pb.start());
      talkers.add(t);
      Thread reader = new Thread(() -> t.readOutput(dir.resolve("voice-" + t.index + ".out")), "voice-" + i + "-out");
      reader.setDaemon(true);
      reader.start();
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline && !talkers.stream().allMatch(t -> t.ready || !t.process.isAlive())) {
      Thread.sleep(200);
    }
    Set<String> heard = new HashSet<>();
    int pairs = voiceParticipants * (voiceParticipants - 1);
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (heard.size() < pairs && System.nanoTime() < deadline
        && talkers.stream().allMatch(t -> t.ready && t.process.isAlive())) {
      heard.clear();
      listen(heard);
      Thread.sleep(200);
    }
    int failed = voiceFailures();
    progress("voice room: %d participants in their own JVMs, %d of %d pairs hear each other, %d failed",
        voiceParticipants, heard.size(), pairs, failed);
  }

  private static String channel(HostSession owner, ChannelKind kind) throws InterruptedException {
    waitFor(() -> !owner.spaces().get().isEmpty()
        && owner.spaces().get().get(0).channels().get().stream().anyMatch(c -> c.kind() == kind), kind + " channel");
    return owner.spaces().get().get(0).channels().get().stream()
        .filter(c -> c.kind() == kind).map(Channel::id).findFirst().orElseThrow();
  }

  private Process start(Path dir, String name, List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    processes.add(p);
    return p;
  }

  private static void progress(String format, Object... args) {
    System.out.printf(Locale.ROOT, "soak: " + format + "%n", args);
  }

  private static void awaitHealthy(URI relay) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    waitFor(() -> {
      try {
        return http.send(HttpRequest.newBuilder(relay.resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, "relay healthy");
  }

  /** Waits for {@code regex} in a process log; returns its first group (or the whole match). */
  private static String awaitLog(Path log, Pattern regex, String what) throws Exception {
    String[] found = new String[1];
    waitFor(() -> {
      try {
        Matcher m = regex.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          found[0] = m.groupCount() > 0 ? m.group(1) : m.group();
          return true;
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    }, what);
    return found[0];
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static String secret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }
}
