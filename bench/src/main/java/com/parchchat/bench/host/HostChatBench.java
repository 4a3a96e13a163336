package com.parchchat.bench.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end chat latency through the real relay and host jars (issue 4, point 10): one sender
 * posts messages at a fixed rate into a space of N members; every member is a {@link LeanMember}
 * (Netty WebSocket clients sharing one event loop, the real hello/attach/redeem handshake,
 * events scanned for two numbers instead of decoded). Two latencies per delivery:
 *
 * <ul>
 *   <li>host publish → member receive: the host runs with {@code publishTimestamps: true}, so each
 *       published event carries {@code publishedAtMicros} (wall clock, taken just before the
 *       event goes to the relay link, i.e. after the commit); the member subtracts it from its
 *       own wall clock (same machine);
 *   <li>sender request → member receive: from just before the sender writes {@code message.send}
 *       (nanoTime, carried in the content) to the member reading the event, same JVM clock; this
 *       includes the host's fsync'd group commit.
 * </ul>
 *
 * <p>Run: {@code java -cp bench/target-host/parch-bench.jar com.parchchat.bench.host.HostChatBench
 * --relay-jar relay/target-host/parch-relay.jar --host-jar host/target-host/parch-host.jar}
 */
@Command(name = "host-chat", mixinStandardHelpOptions = true, description = "Chat end-to-end latency through relay and host.")
public final class HostChatBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Option(names = "--relay-jar", description = "default relay/target/parch-relay.jar") Path relayJar =
      Path.of("relay/target/parch-relay.jar");
  @Option(names = "--host-jar", description = "default host/target/parch-host.jar") Path hostJar =
      Path.of("host/target/parch-host.jar");
  @Option(names = "--members", description = "receiving members (default 100)") int members = 100;
  @Option(names = "--rate", description = "messages per second (default 1000)") int rate = 1000;
  @Option(names = "--seconds", description = "measured seconds (default 10)") int seconds = 10;
  @Option(names = "--warmup-seconds", description = "warm-up at the same rate before measuring, then a pause until"
      + " every warm-up delivery arrived (default 20; JIT compilation of relay, host and bench)") int warmupSeconds = 20;
  /** The JVM flags of the production units ({@code deploy/systemd/parch-relay.service}, {@code parch-host.service}). */
  static final List<String> OPERATOR_JVM_FLAGS = List.of("-Xms64m", "-Xmx512m");

  @Option(names = "--relay-jvm-arg", description = "extra JVM argument for the relay process (repeatable), after the"
      + " production units' -Xms64m -Xmx512m, e.g. -XX:StartFlightRecording=filename=relay.jfr")
  List<String> relayJvmArgs = new ArrayList<>();
  @Option(names = "--host-jvm-arg", description = "extra JVM argument for the host process (repeatable)")
  List<String> hostJvmArgs = new ArrayList<>();
  @Option(names = "--dir", description = "working directory") Path dir =
      Path.of(System.getProperty("java.io.tmpdir"), "parch-host-chat-bench-" + System.nanoTime());

  public static void main(String[] args) {
    System.exit(new CommandLine(new HostChatBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    URI relay = URI.create("http://127.0.0.1:" + port);
    Files.writeString(dir.resolve("relay.yaml"), "limits:\n  messagesPerSecond: 100000\n  messageBurst: 100000\n"
        + "  floodDisconnectAfter: 1000000\n  registerPerIpPerHour: 100000\n  loginPerIpPerMinute: 100000\n");
    Files.createDirectories(dir.resolve("host"));
    Files.writeString(dir.resolve("host/host.yaml"), "relay: \"" + relay + "\"\nname: \"bench\"\n"
        + "messageBurst: 100000\nmessagesPerSecond: 100000\npublishTimestamps: true\n");
    Process relayProc = start(relayJar, withGcLog(relayJvmArgs, dir.resolve("relay-gc.log")), dir.resolve("relay.log"), "--config", dir.resolve("relay.yaml").toString(),
        "--port", Integer.toString(port), "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024");
    Process hostProc = null;
    List<LeanMember> lean = new ArrayList<>();
    EventLoopGroup memberLoop = LeanMember.newLoop();
    EventLoopGroup senderLoop = LeanMember.newLoop();
    try {
      awaitLog(dir.resolve("relay.log"), "parch-relay ready", 120);
      hostProc = start(hostJar, withGcLog(hostJvmArgs, dir.resolve("host-gc.log")), dir.resolve("host.log"), "--data-dir", dir.resolve("host").toString());
      awaitLog(dir.resolve("host.log"), "online at relay", 120);
      String hostId = Files.readString(dir.resolve("host.log")).replaceAll("(?s).*Host Key: (\\S+).*", "$1");

      URI ws = URI.create("ws://127.0.0.1:" + port + "/ws/client");
      LeanMember sender = LeanMember.connect(senderLoop, ws, login(relay, "sender"));
      lean.add(sender);
      sender.attach(hostId);
      HostReply.SpaceSnapshotResult space = (HostReply.SpaceSnapshotResult) sender.call(hostId,
          new HostRequest.SpaceCreate("bench"));
      String channel = space.snapshot().channels().get(0).id();
      HostReply.InviteCodeResult code = (HostReply.InviteCodeResult) sender.call(hostId,
          new HostRequest.InviteCodeCreate(space.snapshot().space().id(), null, null));
      Histogram endToEnd = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      Histogram publishToReceive = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
      AtomicLong received = new AtomicLong();
      AtomicLong noPublishStamp = new AtomicLong();
      LeanMember.Sink sink = (sentNanos, publishedMicros, receivedNanos, receivedMicros) -> {
        received.incrementAndGet();
        if (sentNanos >= measureFrom.get()) {
          synchronized (endToEnd) {
            endToEnd.recordValue(Math.max(0, receivedNanos - sentNanos));
            if (publishedMicros > 0) {
              publishToReceive.recordValue(Math.max(0, receivedMicros - publishedMicros));
            } else {
              noPublishStamp.incrementAndGet();
            }
          }
        }
      };
      for (int i = 0; i < members; i++) {
        LeanMember m = LeanMember.connect(memberLoop, ws, login(relay, "member" + i));
        m.attach(hostId);
        m.call(hostId, new HostRequest.InviteCodeRedeem(code.inviteCode().code()));
        m.sink(sink);
        lean.add(m);
        if ((i + 1) % 25 == 0) {
          System.out.printf("  %d members attached%n", i + 1);
        }
      }
      long interval = 1_000_000_000L / rate;
      // warm-up: the same load, unmeasured, so that the JIT compilers of the three fresh JVMs do
      // their work before the timed part (a long-running relay and host pay compilation once);
      // then wait until every warm-up event was delivered, so no backlog carries over
      long warm = (long) rate * warmupSeconds;
      System.out.printf("warm-up: %d msg/s for %d s to %d members (not measured)...%n", rate, warmupSeconds, members);
      long cpuWarm0 = cpuNanos(relayProc) + cpuNanos(hostProc) + cpuNanos(null);
      long sentWarm = pace(sender, hostId, channel, 0, warm, interval, rate, received, null, 0);
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < drainDeadline && (sender.replies() < sentWarm + 2 || received.get() < sentWarm * members)) {
        Thread.sleep(50);
      }
      System.out.printf("warm-up done: %d acks, %d deliveries of %d; %.1f CPU-s in all; load average %.2f%n",
          sender.replies() - 2, received.get(), sentWarm * members,
          (cpuNanos(relayProc) + cpuNanos(hostProc) + cpuNanos(null) - cpuWarm0) / 1e9, HostStoreBench.loadAverage());
      Thread.sleep(1000);
      long receivedBefore = received.get();
      long repliesBefore = sender.replies();
      long total = (long) rate * seconds;
      System.out.printf("sending %d msg/s for %d s (measured) to %d members...%n", rate, seconds, members);
      long cpuRelay0 = cpuNanos(relayProc);
      long cpuHost0 = cpuNanos(hostProc);
      long cpuSelf0 = cpuNanos(null);
      long jitRelay0 = jitNanos(relayProc);
      long jitHost0 = jitNanos(hostProc);
      GcPauses relayGc = GcPauses.from(dir.resolve("relay-gc.log"));
      GcPauses hostGc = GcPauses.from(dir.resolve("host-gc.log"));
      long[] benchGc0 = benchGc();
      long start = System.nanoTime();
      pace(sender, hostId, channel, warm, total, interval, rate, received, measureFrom, start);
      double sendSeconds = (System.nanoTime() - start) / 1e9;
      long expected = (long) rate * seconds * members;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline && (sender.replies() - repliesBefore < total || measured(endToEnd) < expected)) {
        Thread.sleep(50);
      }
      double cpuRelay = (cpuNanos(relayProc) - cpuRelay0) / 1e9;
      double jitRelay = (jitNanos(relayProc) - jitRelay0) / 1e9;
      double jitHost = (jitNanos(hostProc) - jitHost0) / 1e9;
      double cpuHost = (cpuNanos(hostProc) - cpuHost0) / 1e9;
      double cpuSelf = (cpuNanos(null) - cpuSelf0) / 1e9;
      double elapsed = (System.nanoTime() - start) / 1e9;
      long[] benchGc1 = benchGc();
      synchronized (endToEnd) {
        System.out.printf("%n=== host chat summary: %d members, %d msg/s offered (%.0f achieved), load average %.2f ===%n",
            members, rate, total / sendSeconds, HostStoreBench.loadAverage());
        System.out.printf("deliveries measured %,d of %,d expected; acks %,d of %,d; without publish stamp %d%n",
            endToEnd.getTotalCount(), expected, sender.replies() - repliesBefore, total, noPublishStamp.get());
        System.out.printf("%-44s %9s %9s %9s %9s   %s%n", "latency", "p50", "p99", "p99.9", "max", "target");
        System.out.printf("%-44s %7.2f ms %6.2f ms %6.2f ms %6.1f ms   %s%n", "host publish -> member receive",
            publishToReceive.getValueAtPercentile(50) / 1e3, publishToReceive.getValueAtPercentile(99) / 1e3,
            publishToReceive.getValueAtPercentile(99.9) / 1e3, publishToReceive.getMaxValue() / 1e3,
            "p50 <= 2 ms, p99 <= 10 ms");
        System.out.printf("%-44s %7.2f ms %6.2f ms %6.2f ms %6.1f ms   %s%n",
            "sender request -> member receive (incl. fsync)", endToEnd.getValueAtPercentile(50) / 1e6,
            endToEnd.getValueAtPercentile(99) / 1e6, endToEnd.getValueAtPercentile(99.9) / 1e6,
            endToEnd.getMaxValue() / 1e6, "-");
        System.out.printf("CPU seconds over %.1f s (measured part): relay %.2f (JIT compiler threads %.2f), host %.2f"
            + " (JIT %.2f), bench clients %.2f%n", elapsed, cpuRelay, jitRelay, cpuHost, jitHost, cpuSelf);
        System.out.printf("GC pauses in the measured part (count, total, longest): relay %s; host %s; bench JVM %d, %d ms"
            + " (JVM flags of relay and host: %s + GC log)%n", relayGc.since(), hostGc.since(),
            benchGc1[0] - benchGc0[0], benchGc1[1] - benchGc0[1], OPERATOR_JVM_FLAGS);
        long deliveries = received.get() - receivedBefore;
        if (deliveries > 0) {
          // per message acknowledged in the window (fewer than sent when the machine could not keep up)
          long acked = Math.max(1, sender.replies() - repliesBefore);
          System.out.printf("per delivery: relay %.2f us, bench clients %.2f us; per message: host %.1f us%n",
              cpuRelay * 1e6 / deliveries, cpuSelf * 1e6 / deliveries, cpuHost * 1e6 / acked);
        }
      }
      return 0;
    } finally {
      for (LeanMember c : lean) {
        c.close();
      }
      memberLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      senderLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (hostProc != null) {
        hostProc.destroy();
        hostProc.waitFor(20, TimeUnit.SECONDS);
      }
      relayProc.destroy();
      relayProc.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /**
   * Sends {@code count} messages numbered from {@code first} at {@code interval}; sets
   * {@code measureFrom} (if given) to the send time of the first one. Returns the number sent.
   */
  private static long pace(LeanMember sender, String hostId, String channel, long first, long count, long interval,
      int rate, AtomicLong received, AtomicLong measureFrom, long start0) {
    long start = start0 == 0 ? System.nanoTime() : start0;
    for (long n = 0; n < count; n++) {
      long due = start + n * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (n == 0 && measureFrom != null) {
        measureFrom.set(System.nanoTime());
      }
      sender.fire(hostId, new HostRequest.MessageSend(channel, "m" + (first + n), "t=" + System.nanoTime(), null));
      if (n > 0 && n % rate == 0) {
        System.out.printf("  %d s: %d sent, %d acked, %d deliveries%n", n / rate, n, sender.replies(),
            received.get());
      }
    }
    return count;
  }

  private static List<String> withGcLog(List<String> extra, Path gcLog) {
    List<String> args = new ArrayList<>(OPERATOR_JVM_FLAGS);
    args.add("-Xlog:gc:file=" + gcLog);
    args.addAll(extra);
    return args;
  }

  /** Collections and their total time (ms) of this JVM so far. */
  private static long[] benchGc() {
    long count = 0;
    long millis = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /** The pauses a child JVM logged ({@code -Xlog:gc}) after a starting point in its log. */
  private static final class GcPauses {
    private static final java.util.regex.Pattern PAUSE = java.util.regex.Pattern.compile("Pause.* ([0-9.]+)ms$");
    private final Path log;
    private final long offset;

    private GcPauses(Path log, long offset) {
      this.log = log;
      this.offset = offset;
    }

    static GcPauses from(Path log) throws IOException {
      return new GcPauses(log, Files.exists(log) ? Files.size(log) : 0);
    }

    /** "count, total ms, longest ms" of the pauses logged since {@link #from}. */
    String since() throws IOException {
      if (!Files.exists(log)) {
        return "no GC log";
      }
      byte[] all = Files.readAllBytes(log);
      String tail = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
          StandardCharsets.UTF_8);
      int n = 0;
      double total = 0;
      double longest = 0;
      for (String line : tail.split("\n")) {
        java.util.regex.Matcher m = PAUSE.matcher(line.strip());
        if (m.find()) {
          double ms = Double.parseDouble(m.group(1));
          n++;
          total += ms;
          longest = Math.max(longest, ms);
        }
      }
      return String.format("%d, %.1f ms, %.1f ms", n, total, longest);
    }
  }

  /** CPU time of the JIT compiler threads of a child process (Linux /proc), in nanoseconds; 0 if unknown. */
  private static long jitNanos(Process p) {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }

  private static long measured(Histogram h) {
    synchronized (h) {
      return h.getTotalCount();
    }
  }

  /** CPU time of a process so far ({@code null}: this JVM), in nanoseconds. */
  private static long cpuNanos(Process p) {
    ProcessHandle h = p == null ? ProcessHandle.current() : p.toHandle();
    return h.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  /** Signs {@code username} up and logs in over the relay's HTTP API; returns the session token. */
  private static String login(URI relay, String username) throws Exception {
    String password = "bench password " + username;
    post(relay, "/api/v1/accounts", Map.of("username", username, "email", username + "@bench.test",
        "password", password));
    return post(relay, "/api/v1/sessions", Map.of("username", username, "password", password)).get("token").asText();
  }

  static JsonNode post(URI relay, String path, Map<String, String> body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(relay.resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(path + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static Process start(Path jar, List<String> jvmArgs, Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitLog(Path log, String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out waiting for '" + text + "' in " + log);
  }
}
