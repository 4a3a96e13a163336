package com.parchchat.bench.turn;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Identical {@code turnutils_uclient} loads against coturn ({@code turnserver}, Debian coturn
 * 4.6.1) and against parch-turn.jar, in the same run on the same machine. Both servers run as
 * separate processes on 127.0.0.1 with REST-secret auth, channels (ChannelData) and
 * {@code turnutils_peer} echoing every packet back. Per load it reports client messages per
 * second, loss, uclient's average RTT, the server process's CPU seconds (utime + stime from
 * {@code /proc/<pid>/stat}, whole run including allocation set-up) and relayed packets per
 * CPU-second (each client message is relayed twice: client→peer and peer→client).
 *
 * <p>Not part of any test run. Example:
 * <pre>
 * java -cp bench/target/parch-bench.jar com.parchchat.bench.turn.TurnBench \
 *     --turn-jar turn/target/parch-turn.jar --clients 10,100,500 --sizes 172,1000 --seconds 10 --min-messages 30000
 * </pre>
 */
@Command(name = "turn-bench", mixinStandardHelpOptions = true,
    description = "turnutils_uclient loads against coturn and parch-turn, side by side.")
public final class TurnBench implements Callable<Integer> {
  private static final String SECRET = "bench-secret";
  private static final String REALM = "parch.bench";
  private static final Pattern TOTALS = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\s*$",
      Pattern.MULTILINE);
  private static final Pattern RTT = Pattern.compile("Average round trip delay ([0-9.]+) ms");
  private static final long CLOCK_TICKS = 100; // getconf CLK_TCK on Linux x86-64

  @Option(names = "--turn-jar", description = "parch-turn.jar to benchmark (default ${DEFAULT-VALUE}).")
  Path turnJar = Path.of("turn/target/parch-turn.jar");

  /**
   * The JVM flags of deploy/systemd/parch-turn.service: measure what operators run (the last two
   * enable the native relay data path, see turn/README.md; -XX:-UsePerfData stops the JVM's
   * watcher thread waking 20 times a second to sample jstat counters).
   */
  @Option(names = "--java-opts", split = " ", description = "JVM options for parch-turn (default ${DEFAULT-VALUE}).")
  List<String> javaOpts = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xms64m", "-Xmx256m",
      "-Dio.netty.leakDetection.level=disabled", "--add-modules", "jdk.incubator.foreign",
      "--enable-native-access=ALL-UNNAMED");

  @Option(names = "--clients", split = ",", description = "Client counts (default ${DEFAULT-VALUE}).")
  List<Integer> clients = List.of(10, 100, 500);

  @Option(names = "--sizes", split = ",", description = "Payload sizes in bytes (default ${DEFAULT-VALUE}).")
  List<Integer> sizes = List.of(172, 1000);

  @Option(names = "--seconds", description = "Least sending time per measured load at 50 packets/s per client"
      + " (default ${DEFAULT-VALUE}).")
  int seconds = 10;

  /**
   * A 10-client load of 10 s is 25-40 CPU ticks of either server, so one 10-ms tick moved the
   * ratio by 3-4 %; with this floor every measured load gives each server some 150 ticks or more.
   */
  @Option(names = "--min-messages", description = "Least client messages per measured load: loads with few clients"
      + " send longer than --seconds (default ${DEFAULT-VALUE}: 60 s at 10 clients).")
  int minMessages = 30_000;

  @Option(names = "--clients-per-uclient", description = "Clients per uclient process (default ${DEFAULT-VALUE}).")
  int clientsPerProcess = 50;

  @Option(names = "--warmups", description = "Least warm-up rounds for the JVM before measuring; a round is one short"
      + " load of every measured shape (default ${DEFAULT-VALUE}).")
  int warmups = 1;

  @Option(names = "--max-warmups", description = "Most warm-up rounds: warming stops earlier once the JIT compilers"
      + " take under 5 %% of a round's CPU (default ${DEFAULT-VALUE}).")
  int maxWarmups = 2;

  @Option(names = "--warmup-seconds", description = "Sending time of each warm-up load (default ${DEFAULT-VALUE}).")
  int warmupSeconds = 2;

  @Option(names = "--markdown", description = "Also write the result table to this file.")
  Path markdown;

  /** One measured load against one server. */
  record Result(String server, int clients, int size, long sent, long received, double rttMs, double cpuSeconds,
      double userSeconds, double jitSeconds, double wallSeconds) {
    double systemSeconds() {
      return cpuSeconds - userSeconds;
    }

    double lossPercent() {
      return sent == 0 ? 100 : 100.0 * (sent - received) / sent;
    }

    double relayedPerCpuSecond() {
      return cpuSeconds == 0 ? Double.NaN : (sent + received) / cpuSeconds;
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new TurnBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(turnJar)) {
      System.err.println("no such jar: " + turnJar + " (build it: ./mvnw -pl turn -am package -DskipTests)");
      return 2;
    }
    Path dir = Files.createTempDirectory("parch-turn-bench-");
    List<Process> started = new ArrayList<>();
    try {
      int peerPort = freeUdpPort();
      Process peer = start(dir, "peer", List.of("/usr/bin/turnutils_peer", "-L", "127.0.0.1", "-p",
          Integer.toString(peerPort)));
      started.add(peer);

      int coturnPort = freeTcpAndUdpPort();
      Process coturn = start(dir, "coturn", List.of("/usr/bin/turnserver", "-n", "--listening-ip=127.0.0.1",
          "--relay-ip=127.0.0.1", "--listening-port=" + coturnPort, "--min-port=16000", "--max-port=23999",
          "--use-auth-secret", "--static-auth-secret=" + SECRET, "--realm=" + REALM, "--allow-loopback-peers",
          "--no-cli", "--no-tls", "--no-dtls", "--log-file=" + dir.resolve("coturn-internal.log"), "--simple-log",
          "--db=" + dir.resolve("turndb"), "--pidfile=" + dir.resolve("turnserver.pid")));
      started.add(coturn);

      int oursPort = freeTcpAndUdpPort();
      List<String> ours = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
      ours.addAll(javaOpts);
      ours.addAll(List.of("-jar", turnJar.toString(), "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
          "--listening-port=" + oursPort, "--min-port=24000", "--max-port=31999", "--use-auth-secret",
          "--static-auth-secret=" + SECRET, "--realm=" + REALM, "--allow-loopback-peers", "--admin-port=-1",
          // uclient opens all its clients from 127.0.0.1; lift the per-IP challenge limit as coturn has none
          "--unauth-rate=1000000", "--unauth-burst=1000000"));
      Process parch = start(dir, "parch-turn", ours);
      started.add(parch);
      waitForTcp(coturnPort);
      waitForTcp(oursPort);

      System.out.printf(Locale.ROOT, "coturn pid %d port %d; parch-turn pid %d port %d; peer port %d; logs in %s%n",
          coturn.pid(), coturnPort, parch.pid(), oursPort, peerPort, dir);
      // Relayed port ranges: 8000 ports each, below Linux's ephemeral range; turnutils_uclient leaves
      // one allocation per client until it expires, so a whole run holds up to about 5,000 of them.
      // Warm-up, not reported. The JVM's JIT compilers (C2 above all) need a minute or so of load
      // before the data path settles; a long-running server pays that once, so it is kept out of
      // the comparison. A warm-up round is one short load of every measured shape (clients × size,
      // in the measured order): the per-allocation set-up path runs as often as in the measured
      // loads and every branch the data path takes there (batch sizes, payload sizes) is taken once
      // before measuring, so C2 does not recompile it under measurement. Rounds run until the
      // compiler threads take under 5 % of a round's CPU (at least --warmups, at most
      // --max-warmups). coturn (no JIT) gets one short load.
      run(dir, "coturn", coturn, coturnPort, peerPort, 20, 172, 3);
      for (int round = 1; round <= Math.max(warmups, maxWarmups); round++) {
        double cpu = 0;
        double jit = 0;
        for (int size : sizes) {
          for (int n : clients) {
            Result w = run(dir, "parch-turn", parch, oursPort, peerPort, n, size, warmupSeconds);
            System.out.println("warm-up " + round + " " + row(w, null));
            cpu += w.cpuSeconds();
            jit += w.jitSeconds();
          }
        }
        if (round >= warmups && jit < 0.05 * cpu) {
          break;
        }
      }

      List<Result> results = new ArrayList<>();
      for (int size : sizes) {
        for (int n : clients) {
          int s = measuredSeconds(n, seconds, minMessages);
          Result c = run(dir, "coturn", coturn, coturnPort, peerPort, n, size, s);
          Result o = run(dir, "parch-turn", parch, oursPort, peerPort, n, size, s);
          results.add(c);
          results.add(o);
          System.out.println(row(c, null));
          System.out.println(row(o, c));
        }
      }
      String table = table(results);
      System.out.println();
      System.out.println(table);
      if (markdown != null) {
        Files.writeString(markdown, table, StandardCharsets.UTF_8);
      }
      return 0;
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        stop(started.get(i));
      }
    }
  }

  /** Sending seconds of a measured load: at least {@code seconds}, and at least {@code minMessages} messages. */
  static int measuredSeconds(int clients, int seconds, int minMessages) {
    long perSecond = 50L * clients;
    return (int) Math.max(seconds, (minMessages + perSecond - 1) / perSecond);
  }

  private Result run(Path dir, String name, Process server, int port, int peerPort, int clientCount, int size,
      int sendSeconds) throws Exception {
    int messages = sendSeconds * 50; // uclient's default interval is 20 ms: 50 packets/s per client
    long cpuBefore = cpuTicks(server.pid());
    long userBefore = userTicks(server.pid());
    long jitBefore = jitTicks(server.pid());
    long t0 = System.nanoTime();
    List<Process> procs = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    int remaining = clientCount;
    int index = 0;
    while (remaining > 0) {
      int m = Math.min(clientsPerProcess, remaining);
      remaining -= m;
      Path log = dir.resolve(String.format(Locale.ROOT, "uclient-%s-%d-%d-%d.log", name, clientCount, size, index++));
      logs.add(log);
      procs.add(new ProcessBuilder("/usr/bin/turnutils_uclient", "-W", SECRET, "-u", "bench", "-c",
          "-m", Integer.toString(m), "-n", Integer.toString(messages), "-l", Integer.toString(size),
          "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(port), "127.0.0.1")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }
    long sent = 0;
    long received = 0;
    double rttWeighted = 0;
    for (int i = 0; i < procs.size(); i++) {
      Process p = procs.get(i);
      if (!p.waitFor(sendSeconds * 4L + 120, TimeUnit.SECONDS)) {
        stop(p);
      }
      String out = Files.readString(logs.get(i), StandardCharsets.ISO_8859_1);
      Matcher t = TOTALS.matcher(out);
      long s = 0;
      long r = 0;
      while (t.find()) {
        s = Long.parseLong(t.group(1));
        r = Long.parseLong(t.group(2));
      }
      Matcher rtt = RTT.matcher(out);
      sent += s;
      received += r;
      if (rtt.find()) {
        rttWeighted += Double.parseDouble(rtt.group(1)) * r;
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (cpuTicks(server.pid()) - cpuBefore) / (double) CLOCK_TICKS;
    double user = (userTicks(server.pid()) - userBefore) / (double) CLOCK_TICKS;
    double jit = (jitTicks(server.pid()) - jitBefore) / (double) CLOCK_TICKS;
    return new Result(name, clientCount, size, sent, received, received == 0 ? Double.NaN : rttWeighted / received,
        cpu, user, jit, wall);
  }

  private static String row(Result r, Result baseline) {
    String ratio = baseline == null ? "" : String.format(Locale.ROOT, "  ratio %.2f",
        r.relayedPerCpuSecond() / baseline.relayedPerCpuSecond());
    return String.format(Locale.ROOT,
        "%-10s %4d clients %5d B: sent %d recv %d loss %.3f%% rtt %.2f ms cpu %.2f s (user %.2f sys %.2f JIT %.2f)"
            + " wall %.1f s -> %.0f pkt/cpu-s%s",
        r.server(), r.clients(), r.size(), r.sent(), r.received(), r.lossPercent(), r.rttMs(), r.cpuSeconds(),
        r.userSeconds(), r.systemSeconds(), r.jitSeconds(), r.wallSeconds(), r.relayedPerCpuSecond(), ratio);
  }

  private String table(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| clients | bytes | server | msgs/s offered | sent | received | loss | avg RTT | server CPU s | "
        + "user / sys s | of which JIT s | relayed pkts per CPU-s | parch / coturn |\n");
    sb.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < results.size(); i += 2) {
      Result c = results.get(i);
      Result o = results.get(i + 1);
      for (Result r : List.of(c, o)) {
        sb.append(String.format(Locale.ROOT,
            "| %d | %d | %s | %d | %d | %d | %.2f %% | %.2f ms | %.2f | %.2f / %.2f | %s | %.0f | %s |%n",
            r.clients(), r.size(), r.server(), r.clients() * 50, r.sent(), r.received(), r.lossPercent(), r.rttMs(),
            r.cpuSeconds(), r.userSeconds(), r.systemSeconds(), r == o ? String.format(Locale.ROOT, "%.2f", r.jitSeconds()) : "", r.relayedPerCpuSecond(),
            r == o ? String.format(Locale.ROOT, "%.2f×", o.relayedPerCpuSecond() / c.relayedPerCpuSecond()) : ""));
      }
    }
    return sb.toString();
  }

  /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) " the state is field 3, so utime (14) and stime (15) are at 11 and 12
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** utime of a process, in clock ticks (field 14 of /proc/pid/stat). */
  static long userTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[11]);
  }

  /**
   * CPU ticks of a JVM's JIT compiler threads (named "C1 CompilerThre…"/"C2 CompilerThre…");
   * 0 for a process without them. Threads that ended are not counted.
   */
  static long jitTicks(long pid) throws IOException {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (comm.contains("CompilerThre")) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException ended) {
          // the thread ended between listing and reading
        }
      }
    }
    return ticks;
  }

  private static Process start(Path dir, String name, List<String> cmd) throws IOException {
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private static void waitForTcp(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IOException("nothing listens on 127.0.0.1:" + port);
  }

  private static int freeUdpPort() throws SocketException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpAndUdpPort() throws IOException {
    for (int i = 0; i < 50; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
        return port;
      } catch (SocketException busy) {
        // try another
      }
    }
    throw new IOException("no free TCP+UDP port");
  }
}
