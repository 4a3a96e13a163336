package com.parchchat.bench.soak;

import com.parchchat.client.core.ChannelLog;
import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.Subscription;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
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
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Soak of chat (issue 10 point 4, chat part): the real relay and host jars as processes, N headless
 * {@code client.core} clients in one space, each posting a message every {@code --interval-ms}.
 * Every {@code --sample-seconds} it prints, per window: end-to-end latency (sender → relay → host →
 * relay → observer client) p50/p99/max, and for the relay and host processes heap used after a
 * full GC ({@code jcmd GC.run} then {@code GC.heap_info}) and open file descriptors
 * ({@code /proc/PID/fd}). Flat heap and fd columns and a stable p99 are the pass criteria.
 *
 * <pre>
 * java -cp bench/target-x/parch-bench.jar com.parchchat.bench.soak.SoakBench \
 *   --relay-jar relay/target-x/parch-relay.jar --host-jar host/target-x/parch-host.jar \
 *   --clients 100 --duration-seconds 120
 * </pre>
 */
@Command(name = "soak", mixinStandardHelpOptions = true)
public final class SoakBench implements Callable<Integer> {
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  @Option(names = "--relay-jar", required = true) Path relayJar;
  @Option(names = "--host-jar", required = true) Path hostJar;
  @Option(names = "--clients", defaultValue = "100") int clientCount;
  @Option(names = "--duration-seconds", defaultValue = "120") int durationSeconds;
  @Option(names = "--interval-ms", defaultValue = "2000", description = "each client posts this often")
  int intervalMs;
  @Option(names = "--sample-seconds", defaultValue = "15") int sampleSeconds;

  private final List<Process> processes = new ArrayList<>();
  private final List<ParchClient> clients = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new SoakBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("parch-soak");
    try {
      int port = freePort();
      URI relay = URI.create("http://127.0.0.1:" + port);
      Files.writeString(dir.resolve("relay.yaml"), "limits:\n  registerPerIpPerHour: 1000000\n"
          + "  loginPerIpPerMinute: 1000000\n");
      Process relayProc = start(dir, "relay", List.of("java", "-Xmx256m", "-jar", relayJar.toString(),
          "--config", dir.resolve("relay.yaml").toString(), "--port", String.valueOf(port),
          "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024"));
      awaitHealthy(relay);
      Files.createDirectories(dir.resolve("host"));
      Files.writeString(dir.resolve("host/host.yaml"), "relay: " + relay + "\nname: Soak\n"
          + "messageBurst: 1000\nmessagesPerSecond: 1000.0\n");
      Process hostProc = start(dir, "host", List.of("java", "-Xmx256m", "-jar", hostJar.toString(),
          "--data-dir", dir.resolve("host").toString(), "--relay", relay.toString(), "--name", "Soak"));
      String hostKey = awaitHostKey(dir.resolve("host.log"));

      List<HostSession> sessions = seed(dir, relay, hostKey);
      String ch = channel(sessions.get(0));
      Recorder latency = new Recorder(3);
      AtomicLong received = new AtomicLong();
      ChannelLog observed = sessions.get(0).log(ch);
      Subscription[] handle = new Subscription[1];
      observed.listen(change -> {
        if (change instanceof ChannelLog.Inserted) {
          for (ChatLine l : ((ChannelLog.Inserted) change).lines()) {
            record(l, latency, received);
          }
        }
      }, handle);

      System.out.printf(Locale.ROOT, "soak: %d clients, one post each per %d ms (%.0f msg/s), %d s%n",
          clientCount, intervalMs, clientCount * 1000.0 / intervalMs, durationSeconds);
      System.out.println("t_s  msgs_rx  p50_ms  p99_ms  max_ms  relay_heap_MiB  relay_fds  host_heap_MiB  host_fds");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
      long t0 = System.nanoTime();
      long nextSample = t0 + TimeUnit.SECONDS.toNanos(sampleSeconds);
      long tick = Math.max(1, intervalMs / Math.max(1, clientCount));
      int next = 1;
      Histogram window = null;
      while (System.nanoTime() < end) {
        // spread the posts evenly: one client posts per tick (client 0 only observes)
        HostSession s = sessions.get(next);
        s.send(ch, "soak " + next + " " + System.nanoTime(), null);
        next = next % (sessions.size() - 1) + 1;
        Thread.sleep(tick);
        if (System.nanoTime() >= nextSample) {
          window = latency.getIntervalHistogram(window);
          printSample(t0, received.get(), window, relayProc.pid(), hostProc.pid());
          nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
        }
      }
      handle[0].close();
      return 0;
    } finally {
      clients.parallelStream().forEach(ParchClient::close);
      for (Process p : processes) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static void record(ChatLine l, Recorder latency, AtomicLong received) {
    if (l.pending()) {
      return;
    }
    String[] parts = l.message().content().split(" ");
    if (parts.length == 3 && parts[0].equals("soak")) {
      long micros = (System.nanoTime() - Long.parseLong(parts[2])) / 1_000;
      latency.recordValue(Math.max(0, micros));
      received.incrementAndGet();
    }
  }

  private void printSample(long t0, long rx, Histogram h, long relayPid, long hostPid) throws Exception {
    System.out.printf(Locale.ROOT, "%4d  %7d  %6.1f  %6.1f  %6.1f  %14.1f  %9d  %13.1f  %8d%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), rx,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
        heapAfterGcMiB(relayPid), fds(relayPid), heapAfterGcMiB(hostPid), fds(hostPid));
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

  private static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  /** Registers the clients, puts them all in one space and opens its text channel. */
  private List<HostSession> seed(Path dir, URI relay, String hostKey) throws Exception {
    List<CompletableFuture<?>> registered = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      ParchClient c = new ParchClient(ClientConfig.defaults(dir.resolve("cfg-" + i)).withDefaultRelay(relay));
      clients.add(c);
      registered.add(c.register(relay, "soak" + i, "Soak " + i, "soak" + i + "@example.org", "password-" + i));
    }
    CompletableFuture.allOf(registered.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
    List<HostSession> sessions = new ArrayList<>();
    for (ParchClient c : clients) {
      sessions.add(c.addHost(hostKey));
    }
    waitFor(() -> sessions.stream().allMatch(h -> h.phase().get() == HostSession.Phase.READY), "all host sessions ready");
    HostSession owner = sessions.get(0);
    SpaceState space = owner.createSpace("Soak").get(30, TimeUnit.SECONDS);
    List<CompletableFuture<?>> invited = new ArrayList<>();
    for (int i = 1; i < clientCount; i++) {
      invited.add(owner.inviteUser(space.id(), "soak" + i));
    }
    CompletableFuture.allOf(invited.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
    for (int i = 1; i < clientCount; i++) {
      HostSession h = sessions.get(i);
      waitFor(() -> !h.invites().get().isEmpty(), "invite for soak" + i);
      h.acceptInvite(h.invites().get().get(0).id()).get(60, TimeUnit.SECONDS);
    }
    String ch = channel(owner);
    List<CompletableFuture<?>> opened = new ArrayList<>();
    for (HostSession h : sessions) {
      opened.add(h.openChannel(ch));
    }
    CompletableFuture.allOf(opened.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.MINUTES);
    return sessions;
  }

  private static String channel(HostSession owner) {
    return owner.spaces().get().get(0).channels().get().stream()
        .filter(c -> c.kind() == ChannelKind.TEXT).map(Channel::id).findFirst().orElseThrow();
  }

  private Process start(Path dir, String name, List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    processes.add(p);
    return p;
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

  private static String awaitHostKey(Path log) throws Exception {
    String[] key = new String[1];
    waitFor(() -> {
      try {
        Matcher m = HOST_KEY.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          key[0] = m.group(1);
          return true;
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    }, "Host Key in host log");
    return key[0];
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

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
