package com.parchchat.bench.soak;

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
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
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
  @Option(names = "--warmup-seconds", defaultValue = "30",
      description = "posting runs this long before the first window (not measured)")
  int warmupSeconds;
  @Option(names = "--drain-seconds", defaultValue = "120", description = "wait at most this long for delivery")
  int drainSeconds;
  @Option(names = "--seed-wave", defaultValue = "25", description = "accounts and sessions set up at once")
  int seedWave;
  @Option(names = "--work-dir", description = "data and logs (default: a new temp dir)") Path workDir;
  @Option(names = "--keep-messages", defaultValue = "50", description = "each in-bench client keeps the newest "
      + "this many messages of the channel (trimmed every 10 s); its tally of what it got is a bitset")
  int keepMessages;
  @Option(names = "--client-threads", defaultValue = "2",
      description = "threads of the one HTTP client (WebSocket I/O and callbacks) all in-bench clients share")
  int clientThreads;

  /**
   * Heap after a full GC, open fds and threads of one process, and the CPU it used during the window
   * in percent of one core ({@code utime + stime} from {@code /proc/PID/stat}).
   */
  public record Proc(double heapAfterGcMiB, long fds, long threads, double cpuPercent) {
    String columns() {
      return String.format(Locale.ROOT, "%7.1f %5d %4d %5.1f", heapAfterGcMiB, fds, threads, cpuPercent);
    }
  }

  /**
   * One sample window. Latency ({@code p50Ms}, {@code p99Ms}, {@code maxMs}) is what the reader in its
   * own JVM ({@link SoakReader}) measured for the messages that reached it in the window;
   * {@code benchP50Ms}/{@code benchP99Ms} the same messages as client 0 inside the bench JVM saw them
   * (for comparison only). {@code benchCpuPercent} is the bench JVM's own CPU (its clients), in
   * percent of one core. {@code sfu} is null without a voice room.
   */
  public record Window(int seconds, double load1, long sent, long received, double p50Ms, double p99Ms,
      double maxMs, double benchP50Ms, double benchP99Ms, Proc relay, Proc host, Proc sfu, double benchCpuPercent,
      long voicePackets, double voiceLossMax, int voicePairsHeard, int voicePairs, int voiceFailures) {
  }

  /**
   * Latency of the first and the last third of the windows (all messages the reader got in them,
   * merged), and the verdict of the stability criterion: last-third p99 at most
   * {@value #STABLE_RATIO} × first-third p99 + {@value #STABLE_SLACK_MS} ms, and the same for p50
   * (a drift of the median is an upward trend even when the tail is noisy). The slack keeps a few
   * milliseconds of noise on small figures from failing it. {@code windowsPerThird} is 0 (and
   * {@code pass} true, nothing to judge) with fewer than 3 windows.
   */
  public record Stability(int windowsPerThird, double firstP50Ms, double firstP99Ms, double lastP50Ms,
      double lastP99Ms, double firstRelayCpu, double lastRelayCpu, double firstHostCpu, double lastHostCpu,
      boolean pass) {
    public double p99Ratio() {
      return firstP99Ms <= 0 ? 0 : lastP99Ms / firstP99Ms;
    }

    public double p50Ratio() {
      return firstP50Ms <= 0 ? 0 : lastP50Ms / firstP50Ms;
    }
  }

  /**
   * The whole run: per window figures, then delivery after the drain (over every client in the bench
   * JVM and the reader process; a message one client lacks counts once per client), voice
   * participants whose process died or never got into the call, and the latency stability verdict.
   */
  public record Report(int clients, int voiceParticipants, List<Window> windows, long sent, long missing,
      long duplicates, int voiceFailures, Stability stability) {
  }

  static final double STABLE_RATIO = 1.5;
  static final double STABLE_SLACK_MS = 5;

  /**
   * JVM options of each voice participant: those the desktop client relaunches itself with, so a
   * participant costs what a real user's client costs.
   */
  static final List<String> DESKTOP_JVM_OPTIONS = com.parchchat.client.Relaunch.TUNED_OPTIONS;

  private final List<Process> processes = new ArrayList<>();
  private final List<ParchClient> clients = new ArrayList<>();
  private final List<VoiceChild> talkers = new ArrayList<>();
  private final Map<Long, Long> cpuTicks = new ConcurrentHashMap<>();
  private long lastSampleNanos;
  private HttpClient sharedHttp;
  private ScheduledThreadPoolExecutor sharedTimer;
  private ExecutorService httpExecutor;

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
        + "%d duplicated, %d voice participants failed, latency stability %s%n", r.clients(), r.voiceParticipants(),
        r.sent(), r.missing(), r.duplicates(), r.voiceFailures(), r.stability().pass() ? "PASS" : "FAIL");
    return r.missing() == 0 && r.duplicates() == 0 && r.voiceFailures() == 0 && r.stability().pass() ? 0 : 1;
  }

  /**
   * A helper JVM the bench talks to through its stdout: a thread reads it line by line; lines the
   * subclass {@link #consume consumes} are its protocol, {@code READY} marks it ready, and everything
   * else goes to a log file in the work dir.
   */
  private abstract static class ChildJvm {
    final Process process;
    volatile boolean ready;

    ChildJvm(Process process) {
      this.process = process;
    }

    /** Handles one protocol line; false for a line that is only logged. */
    abstract boolean consume(String line, Writer log) throws IOException;

    final void readOutput(Path out) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); Writer log = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (consume(line, log)) {
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
  }

  /**
   * The reader process ({@link SoakReader}): asked one line at a time, answers one line. Its other
   * output goes to {@code reader.out} in the work dir.
   */
  private static final class ReaderChild extends ChildJvm {
    final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final Writer in;

    ReaderChild(Process process) {
      super(process);
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    @Override
    boolean consume(String line, Writer log) {
      if (line.startsWith("WIN ") || line.startsWith("CHECK ")) {
        answers.add(line);
        return true;
      }
      return false;
    }

    /** Sends {@code command}, returns the answer's fields, or null if none came within 30 s. */
    synchronized String[] ask(String command) throws InterruptedException {
      answers.clear();
      try {
        in.write(command + "\n");
        in.flush();
      } catch (IOException e) {
        return null;
      }
      String a = answers.poll(30, TimeUnit.SECONDS);
      return a == null ? null : a.split(" ");
    }
  }

  /**
   * A voice participant's process ({@link SoakVoiceParticipant}) and what its last report said: it
   * prints {@code READY}, then an {@code EAR} line a second; anything else goes to {@code voice-N.out}.
   */
  private static final class VoiceChild extends ChildJvm {
    final int index;
    final String userId;
    final double hz;
    volatile long packets;
    volatile double loss;
    volatile long lastReportNanos;
    volatile Map<String, Set<Double>> heard = Map.of();
    long packetsAtLastWindow;
    boolean failureCounted;

    VoiceChild(int index, String userId, double hz, Process process) {
      super(process);
      this.index = index;
      this.userId = userId;
      this.hz = hz;
    }

    @Override
    boolean consume(String line, Writer log) throws IOException {
      if (!line.startsWith("EAR ")) {
        return false;
      }
      String[] f = line.split(" ");
      try {
        heard = SoakVoiceParticipant.parseHeard(f, 4);
        loss = Double.parseDouble(f[2]);
        packets = Long.parseLong(f[1]);
        lastReportNanos = System.nanoTime();
      } catch (RuntimeException e) {
        log.write("unparsable: " + line + "\n");
      }
      return true;
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
    // one HTTP client (one selector thread, a small pool for WebSocket callbacks) and one timer for all
    // in-bench clients instead of three threads each: 500 clients used to be ~1,530 threads that all
    // woke for every message, and the reader's latency included the queue they made on 2 cores
    AtomicLong threadIds = new AtomicLong();
    httpExecutor = Executors.newFixedThreadPool(Math.max(1, clientThreads), r -> {
      Thread t = new Thread(r, "soak-clients-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    sharedHttp = HttpClient.newBuilder().executor(httpExecutor).connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    sharedTimer = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "soak-clients-timer-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // every request schedules a timeout that its reply cancels: drop those from the queue at once
    sharedTimer.setRemoveOnCancelPolicy(true);
    ReaderChild readerChild = null;
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
      readerChild = startReader(dir, relay, hostKey);
      // every in-bench client tallies what it holds (a bitset of sequence numbers); client 0 also times
      // arrival, to compare with the reader process
      Recorder benchLatency = new Recorder(3);
      List<SeqTally> tallies = new ArrayList<>();
      List<Subscription> handles = new ArrayList<>();
      for (int i = 0; i < clientCount; i++) {
        SeqTally tally = new SeqTally();
        SeqTally.Timing timing = i != 0 ? null
            : sendNanos -> benchLatency.recordValue(Math.max(0, (System.nanoTime() - sendNanos) / 1_000));
        Subscription[] handle = new Subscription[1];
        tally.lines(sessions.get(i).log(ch).listen(change -> tally.changed(change, timing), handle), null);
        tallies.add(tally);
        handles.add(handle[0]);
      }

      int posters = clientCount - 2;
      System.out.printf(Locale.ROOT, "soak: %d clients (%d posting, one post each per %d ms = %.1f msg/s offered), "
          + "%d in voice, %d s warm-up, then %d s in windows of %d s%n", clientCount, posters, intervalMs,
          posters * 1000.0 / intervalMs, voice ? voiceParticipants : 0, warmupSeconds, durationSeconds, sampleSeconds);
      System.out.println("latency: sender (bench JVM) -> relay -> host -> relay -> reader process; bench_p50/p99: "
          + "the same at client 0 inside the bench JVM; cpu: % of one core in the window");
      System.out.println("   t load1   sent  recvd  p50_ms  p99_ms  max_ms bench_p50 bench_p99 | relay heapMiB fds thr "
          + "  cpu | host heapMiB fds thr   cpu | sfu heapMiB fds thr   cpu | bench_cpu | voice pkts loss heard failed");
      int sent = 0;
      List<Window> windows = new ArrayList<>();
      List<Histogram> windowHistograms = new ArrayList<>();
      long[] watched = {relayProc.pid(), hostProc.pid(), sfuProc == null ? -1 : sfuProc.pid(),
          ProcessHandle.current().pid()};
      for (long pid : watched) {
        cpuPercent(pid);
      }
      lastSampleNanos = System.nanoTime();
      long start = System.nanoTime();
      // windows count from the end of the warm-up: posting starts at once, measuring after it
      long t0 = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
      boolean warm = warmupSeconds == 0;
      long end = t0 + TimeUnit.SECONDS.toNanos(durationSeconds);
      long nextSample = t0 + TimeUnit.SECONDS.toNanos(sampleSeconds);
      long nextEarCheck = start;
      long nextTrim = start;
      long tickNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs) / posters;
      long nextPost = start;
      int next = 1;
      Set<String> heardPairs = new HashSet<>();
      Histogram benchWindow = null;
      // a window that ends exactly at the end (duration a multiple of the window) is still sampled
      while (System.nanoTime() < end || nextSample <= end) {
        long now = System.nanoTime();
        while (now >= nextPost) {
          sessions.get(next).send(ch, SeqTally.text(next, sent, System.nanoTime()), null);
          sent++;
          next = next % posters + 1;
          nextPost += tickNanos;
        }
        if (now >= nextTrim) {
          // 500 clients that keep every message made the bench JVM's heap (and its GC pauses, which
          // stop its sends) grow all run long; each client's tally needs none of them
          for (HostSession h : sessions) {
            h.log(ch).keepNewest(keepMessages);
          }
          nextTrim += TimeUnit.SECONDS.toNanos(10);
        }
        if (voice && now >= nextEarCheck) {
          listen(heardPairs);
          nextEarCheck += TimeUnit.SECONDS.toNanos(1);
        }
        if (!warm && now >= t0) {
          // the first seconds (JIT compilation of services and clients, first fan-outs) are not what a
          // soak judges: their latency and CPU go in no window and no third
          warm = true;
          benchWindow = benchLatency.getIntervalHistogram(benchWindow);
          String[] win = readerChild.ask("W");
          progress("warm-up of %d s done: %d messages, reader p50 %s ms p99 %s ms (not counted)", warmupSeconds, sent,
              win == null ? "?" : String.format(Locale.ROOT, "%.1f", Long.parseLong(win[2]) / 1000.0),
              win == null ? "?" : String.format(Locale.ROOT, "%.1f", Long.parseLong(win[3]) / 1000.0));
          heardPairs.clear();
          for (VoiceChild t : talkers) {
            t.packetsAtLastWindow = t.packets;
          }
          for (long pid : watched) {
            if (pid >= 0) {
              cpuTicks.put(pid, cpuTicks(pid));
            }
          }
          lastSampleNanos = System.nanoTime();
        }
        if (warm && now >= nextSample) {
          benchWindow = benchLatency.getIntervalHistogram(benchWindow);
          String[] win = readerChild.ask("W");
          Histogram readerWindow = win == null || win.length < 8 ? new Histogram(3) : decode(win[7]);
          windowHistograms.add(readerWindow);
          Window w = sample(t0, sent, win == null ? -1 : Long.parseLong(win[5]), readerWindow, benchWindow, watched,
              heardPairs.size(), voiceFailures());
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

      progress("posting stopped after %d messages; waiting up to %d s for delivery to all %d clients and the "
          + "reader", sent, drainSeconds, clientCount);
      int total = sent;
      long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
      String[] check = readerChild.ask("C " + total);
      while (System.nanoTime() < drainEnd && !(tallies.stream().allMatch(t -> t.missing(total) == 0)
          && check != null && Long.parseLong(check[1]) == 0)) {
        Thread.sleep(500);
        check = readerChild.ask("C " + total);
      }
      long benchMissing = 0;
      long benchDuplicates = 0;
      int clientsMissing = 0;
      for (SeqTally t : tallies) {
        benchMissing += t.missing(total);
        benchDuplicates += t.duplicates();
        clientsMissing += t.missing(total) > 0 ? 1 : 0;
      }
      handles.forEach(Subscription::close);
      long readerMissing = check == null ? total : Long.parseLong(check[1]);
      long readerDuplicates = check == null ? 0 : Long.parseLong(check[2]);
      if (check == null) {
        progress("READER PROCESS DID NOT ANSWER (see reader.out / reader.err in the work dir)");
      }
      progress("delivery of %d messages: in-bench clients %d missing (over %d of %d clients), %d duplicated; "
          + "reader process %d missing, %d duplicated", total, benchMissing, clientsMissing, clientCount,
          benchDuplicates, readerMissing, readerDuplicates);
      Stability st = stability(windows, windowHistograms);
      printSummary(windows, st);
      return new Report(clientCount, voice ? voiceParticipants : 0, List.copyOf(windows), total,
          benchMissing + readerMissing, benchDuplicates + readerDuplicates, voiceFailures(), st);
    } finally {
      if (readerChild != null) {
        try {
          readerChild.in.close();
        } catch (IOException e) {
          // already gone
        }
        if (!readerChild.process.waitFor(15, TimeUnit.SECONDS)) {
          readerChild.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
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
      clients.forEach(ParchClient::close);
      sharedTimer.shutdownNow();
      httpExecutor.shutdownNow();
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

  private Window sample(long t0, long sent, long received, Histogram h, Histogram bench, long[] pids,
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
    // CPU first: the jcmd full GCs below are the bench's doing, not the services' work
    double relayCpu = cpuPercent(pids[0]);
    double hostCpu = cpuPercent(pids[1]);
    double sfuCpu = pids[2] < 0 ? 0 : cpuPercent(pids[2]);
    double benchCpu = cpuPercent(pids[3]);
    Window w = new Window((int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), load1(), sent, received,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
        bench.getValueAtPercentile(50) / 1000.0, bench.getValueAtPercentile(99) / 1000.0,
        proc(pids[0], relayCpu), proc(pids[1], hostCpu), pids[2] < 0 ? null : proc(pids[2], sfuCpu), benchCpu,
        packets, loss, heard, pairs, voiceFailures);
    // ... and the next window starts after them
    for (long pid : pids) {
      if (pid >= 0) {
        cpuTicks.put(pid, cpuTicks(pid));
      }
    }
    lastSampleNanos = System.nanoTime();
    return w;
  }

  private static void print(Window w) {
    System.out.printf(Locale.ROOT, "%4d %5.1f %6d %6d %7.1f %7.1f %7.1f %9.1f %9.1f | %s | %s | %s | %9.1f "
        + "| %5d %4.2f %d/%d %d%n",
        w.seconds(), w.load1(), w.sent(), w.received(), w.p50Ms(), w.p99Ms(), w.maxMs(), w.benchP50Ms(),
        w.benchP99Ms(), w.relay().columns(), w.host().columns(),
        w.sfu() == null ? "      -     -    -     -" : w.sfu().columns(), w.benchCpuPercent(), w.voicePackets(),
        w.voiceLossMax(), w.voicePairsHeard(), w.voicePairs(), w.voiceFailures());
  }

  static Proc proc(long pid, double cpuPercent) throws Exception {
    return new Proc(heapAfterGcMiB(pid), fds(pid), threads(pid), cpuPercent);
  }

  /**
   * CPU the process used since its ticks were last taken, over the time since the last sample, in
   * percent of one core ({@code utime + stime} of {@code /proc/PID/stat}, 100 ticks a second).
   */
  private double cpuPercent(long pid) {
    long ticks = cpuTicks(pid);
    Long before = cpuTicks.put(pid, ticks);
    double seconds = (System.nanoTime() - lastSampleNanos) / 1e9;
    return before == null || ticks < 0 || seconds <= 0 ? 0 : (ticks - before) / CLOCK_TICKS / seconds * 100;
  }

  private static final double CLOCK_TICKS = 100;

  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A window's histogram as the reader process sent it. */
  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException | RuntimeException e) {
      return new Histogram(3);
    }
  }

  /** Merges the first and the last third of the windows and applies the stability criterion. */
  static Stability stability(List<Window> windows, List<Histogram> histograms) {
    int third = windows.size() / 3;
    if (third == 0) {
      return new Stability(0, 0, 0, 0, 0, 0, 0, 0, 0, true);
    }
    Histogram first = new Histogram(3);
    Histogram last = new Histogram(3);
    double firstRelay = 0;
    double lastRelay = 0;
    double firstHost = 0;
    double lastHost = 0;
    for (int i = 0; i < third; i++) {
      first.add(histograms.get(i));
      firstRelay += windows.get(i).relay().cpuPercent() / third;
      firstHost += windows.get(i).host().cpuPercent() / third;
      int j = windows.size() - third + i;
      last.add(histograms.get(j));
      lastRelay += windows.get(j).relay().cpuPercent() / third;
      lastHost += windows.get(j).host().cpuPercent() / third;
    }
    double fp50 = first.getValueAtPercentile(50) / 1000.0;
    double fp99 = first.getValueAtPercentile(99) / 1000.0;
    double lp50 = last.getValueAtPercentile(50) / 1000.0;
    double lp99 = last.getValueAtPercentile(99) / 1000.0;
    boolean pass = first.getTotalCount() > 0 && last.getTotalCount() > 0
        && lp99 <= STABLE_RATIO * fp99 + STABLE_SLACK_MS && lp50 <= STABLE_RATIO * fp50 + STABLE_SLACK_MS;
    return new Stability(third, fp50, fp99, lp50, lp99, firstRelay, lastRelay, firstHost, lastHost, pass);
  }

  private static void printSummary(List<Window> windows, Stability st) {
    if (st.windowsPerThird() == 0) {
      progress("latency stability: n/a (fewer than 3 windows)");
      return;
    }
    double maxP99 = windows.stream().mapToDouble(Window::p99Ms).max().orElse(0);
    System.out.printf(Locale.ROOT, "soak summary (%d windows; first and last third: %d windows each):%n",
        windows.size(), st.windowsPerThird());
    System.out.printf(Locale.ROOT, "  latency  first third p50 %.1f ms p99 %.1f ms | last third p50 %.1f ms p99 %.1f ms"
        + " | last/first p50 %.2f p99 %.2f | worst window p99 %.1f ms%n", st.firstP50Ms(), st.firstP99Ms(),
        st.lastP50Ms(), st.lastP99Ms(), st.p50Ratio(), st.p99Ratio(), maxP99);
    System.out.printf(Locale.ROOT, "  services CPU (%% of one core)  relay %.1f -> %.1f | host %.1f -> %.1f%n",
        st.firstRelayCpu(), st.lastRelayCpu(), st.firstHostCpu(), st.lastHostCpu());
    System.out.printf(Locale.ROOT, "  p99 latency stable (last third p99 <= %.1f x first third p99 + %.0f ms, p50 "
        + "likewise): %s%n", STABLE_RATIO, STABLE_SLACK_MS, st.pass() ? "PASS" : "FAIL");
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
      clients.add(new ParchClient(ClientConfig.defaults(dir.resolve("cfg-" + i)).withDefaultRelay(relay),
          sharedHttp, sharedTimer));
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
   * Starts the reader process ({@link SoakReader}) as a second device of the last (read-only) soak
   * user, with the desktop client's JVM options, and waits until it has the channel open.
   */
  private ReaderChild startReader(Path dir, URI relay, String hostKey) throws Exception {
    int user = clientCount - 1;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(DESKTOP_JVM_OPTIONS);
    cmd.addAll(List.of("-cp", absoluteClassPath(), SoakReader.class.getName(), relay.toString(), hostKey,
        "soak" + user, "password-" + user, dir.resolve("reader-cfg").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectError(dir.resolve("reader.err").toFile());
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    ReaderChild r = new ReaderChild(pb.start());
    Thread out = new Thread(() -> r.readOutput(dir.resolve("reader.out")), "reader-out");
    out.setDaemon(true);
    out.start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!r.ready) {
      if (!r.process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the reader process did not get the channel open; see reader.out and "
            + "reader.err in " + dir);
      }
      Thread.sleep(100);
    }
    progress("reader process (pid %d) has the channel open", r.process.pid());
    return r;
  }

  private static String absoluteClassPath() {
    StringJoiner classPath = new StringJoiner(File.pathSeparator);
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classPath.add(Path.of(e).toAbsolutePath().toString());
    }
    return classPath.toString();
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
    String classPath = absoluteClassPath();
    for (int i = 0; i < voiceParticipants; i++) {
      int user = i + 1;
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.addAll(DESKTOP_JVM_OPTIONS);
      cmd.add("-XX:ErrorFile=" + dir.resolve("voice-" + i + "-hs_err-%p.log"));
      cmd.addAll(List.of("-cp", classPath, SoakVoiceParticipant.class.getName(), relay.toString(), hostKey,
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
