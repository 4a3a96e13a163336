package com.parchchat.bench.relay;

import com.parchchat.bench.BenchFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.HostToRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Relay fan-out benchmark (issue 3, point 9): the real {@code parch-relay.jar} as a process, one
 * host publishing to a topic with N subscribed client sessions over loopback. Reports deliveries
 * per second, publish-to-receive latency (p50/p99, under full load and paced one event at a
 * time) and heap per idle session (heap after full GC with N sessions minus before, over N).
 *
 * <p>Run: {@code java -cp bench/target/parch-bench.jar com.parchchat.bench.relay.RelayFanoutBench
 * --relay-jar relay/target/parch-relay.jar --sessions 100,1000,10000}.
 */
@Command(name = "relay-fanout", mixinStandardHelpOptions = true, description = "Relay fan-out benchmark.")
public final class RelayFanoutBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<Boolean> ATTACHED = AttributeKey.valueOf("parch.bench.attached");
  private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",[^}]*\\} ([0-9.eE+]+)");

  @Option(names = "--relay-jar", required = true, description = "path to parch-relay.jar")
  Path relayJar;

  @Option(names = "--sessions", split = ",", description = "subscriber counts (default 100,1000,10000)")
  List<Integer> sessions = List.of(100, 1000, 10000);

  @Option(names = "--deliveries", description = "deliveries per throughput run (default 2,000,000)")
  long deliveries = 2_000_000;

  @Option(names = "--window", description = "events in flight during the throughput run (default 256)")
  int window = 256;

  @Option(names = "--paced-events", description = "events published one at a time for unloaded latency (default 50)")
  int pacedEvents = 50;

  @Option(names = "--sources", description = "local source addresses 127.0.0.1..N to spread client ports (default 2)")
  int sources = 2;

  @Option(names = "--client-threads", description = "event-loop threads of the load generator (default 2)")
  int clientThreads = 2;

  @Option(names = "--relay-heap", description = "-Xmx of the relay process (default 2g)")
  String relayHeap = "2g";

  /** One row of results. */
  record Result(int sessions, long deliveries, double deliveriesPerSecond, Histogram loaded, Histogram paced,
                double heapPerSessionBytes, long relayRssKib, double relayCpuMicrosPerDelivery,
                double loadGenCpuMicrosPerDelivery, double seconds, String loadAverage) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new RelayFanoutBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Result> results = new ArrayList<>();
    for (int n : sessions) {
      results.add(run(n));
    }
    PrintTable.print(results);
    return 0;
  }

  private Result run(int n) throws Exception {
    Path dir = Files.createTempDirectory("relay-bench");
    int port = freePort();
    Path config = dir.resolve("relay.yaml");
    Files.writeString(config, String.join("\n",
        "bind: 127.0.0.1",
        "port: " + port,
        "dataDir: " + dir.resolve("data"),
        "limits:",
        "  registerPerIpPerHour: 1000",
        "  loginPerIpPerMinute: 1000",
        "  idleTimeoutSeconds: 600",
        "  pingIntervalSeconds: 300",
        "  hostAuthTimeoutSeconds: 60",
        "accounts:",
        "  argon2MemoryKib: 4096",
        ""));
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process relay = new ProcessBuilder(javaBin, "-Xmx" + relayHeap, "-Xms" + relayHeap, "-jar", relayJar.toString(),
        "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("relay.log").toFile()).start();
    String base = "http://127.0.0.1:" + port;
    HttpClient http = HttpClient.newHttpClient();
    try (BenchSockets sockets = new BenchSockets(clientThreads)) {
      waitHealthy(http, base);
      progress("N=%d: relay pid %d up on port %d; load generator: %d %s event loops", n, relay.pid(), port,
          clientThreads, sockets.transport());
      post(http, base + "/api/v1/accounts",
          "{\"username\":\"bench\",\"email\":\"bench@example.test\",\"password\":\"bench password\"}");
      String token = post(http, base + "/api/v1/sessions", "{\"username\":\"bench\",\"password\":\"bench password\"}")
          .get("token").asText();
      KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      String hostId = post(http, base + "/api/v1/hosts", "{\"name\":\"bench\",\"publicKey\":\""
          + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()) + "\"}").get("hostId").asText();

      CountDownLatch hostReady = new CountDownLatch(1);
      AtomicInteger subscribed = new AtomicInteger();
      Channel host = sockets.connect(URI.create("ws://127.0.0.1:" + port + "/ws/host"), null, new BenchSockets.Listener() {
        @Override
        public void onOpen(Channel ch) {}

        @Override
        public void onText(Channel ch, ByteBuf buf, int from, int len) {
          String text = BenchSockets.text(buf, from, len);
          try {
            JsonNode f = JSON.readTree(text);
            String type = f.path("type").asText();
            if (type.equals("host.challenge")) {
              Signature s = Signature.getInstance("Ed25519");
              s.initSign(keys.getPrivate());
              s.update(HostToRelay.HostAuth.signedPayloadBytes(hostId, f.get("nonce").asText()));
              BenchSockets.send(ch, "{\"type\":\"host.auth\",\"hostId\":\"" + hostId + "\",\"signature\":\""
                  + Base64.getEncoder().encodeToString(s.sign()) + "\"}");
            } else if (type.equals("host.ready")) {
              hostReady.countDown();
            } else if (type.equals("session.open")) {
              BenchSockets.send(ch, "{\"type\":\"subscribe\",\"session\":\"" + f.get("session").asText()
                  + "\",\"topics\":[\"bench\"]}");
              subscribed.incrementAndGet();
            } else if (type.equals("error")) {
              System.err.println("host got error: " + text);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      if (!hostReady.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("host did not authenticate");
      }
      long heapBefore = heapAfterGc(http, base, relay.pid());

      LongAdder delivered = new LongAdder();
      Recorder latency = new Recorder(3);
      CountDownLatch attached = new CountDownLatch(n);
      String hello = "{\"type\":\"hello\",\"token\":\"" + token + "\"}";
      String attach = "{\"type\":\"attach\",\"host\":\"" + hostId + "\"}";
      // at most 512 sessions between TCP connect and attached, so that a 10,000-session setup on a
      // loaded machine never runs into the relay's handshake or hello deadlines
      Semaphore opening = new Semaphore(512);
      AtomicInteger lost = new AtomicInteger();
      BenchSockets.Listener client = new BenchSockets.Listener() {
        @Override
        public void onClose(Channel ch) {
          if (ch.attr(ATTACHED).setIfAbsent(Boolean.FALSE) == null) {
            lost.incrementAndGet();
            opening.release();
          }
        }

        @Override
        public void onOpen(Channel ch) {
          BenchSockets.send(ch, hello);
        }

        @Override
        public void onText(Channel ch, ByteBuf buf, int from, int len) {
          // events are recognised and timed from the bytes, without decoding a String
          if (startsWith(buf, from, len, EVENT_PREFIX)) {
            long now = System.nanoTime();
            long t = trailingNumber(buf, from, len);
            latency.recordValue(Math.max(0, (now - t) / 1000));
            delivered.increment();
            return;
          }
          String text = BenchSockets.text(buf, from, len);
          if (text.startsWith("{\"type\":\"welcome\"")) {
            BenchSockets.send(ch, attach);
          } else if (text.startsWith("{\"type\":\"host.status\"")) {
            if (ch.attr(ATTACHED).setIfAbsent(Boolean.TRUE) == null) {
              attached.countDown();
              opening.release();
            }
          } else if (text.startsWith("{\"type\":\"error\"")) {
            System.err.println("client got error: " + text);
          }
        }
      };
      URI clientUri = URI.create("ws://127.0.0.1:" + port + "/ws/client");
      for (int i = 0; i < n && lost.get() == 0; i++) {
        if (!opening.tryAcquire(120, TimeUnit.SECONDS)) {
          throw new IllegalStateException("sessions stopped attaching (" + (n - attached.getCount()) + " of " + n + ")");
        }
        sockets.connectAsync(clientUri, "127.0.0." + (1 + i % sources), client).addListener(f -> {
          if (!f.isSuccess()) {
            System.err.println("client connect failed: " + f.cause());
            lost.incrementAndGet();
            opening.release();
          }
        });
        if (i > 0 && i % 2000 == 0) {
          progress("N=%d: %d connections opened, %d attached", n, i, n - attached.getCount());
        }
      }
      waitFor(() -> attached.getCount() == 0 || lost.get() > 0, 300, "sessions to attach");
      if (lost.get() > 0) {
        throw new IllegalStateException(lost.get() + " client connections closed before attaching (see relay.log)");
      }
      waitFor(() -> subscribed.get() >= n, 60, "subscriptions");
      progress("N=%d: %d sessions attached and subscribed", n, n);
      // a probe event proves every subscription is in place (subscribes precede it on the host link)
      publish(host, 0);
      waitFor(() -> delivered.sum() >= n, 60, "probe delivery");

      long heapIdle = heapAfterGc(http, base, relay.pid());
      double heapPerSession = (heapIdle - heapBefore) / (double) n;
      long rss = rssKib(relay.pid());

      // warm-up (not measured): the same load, so that both JVMs have compiled the hot paths
      long warmEvents = Math.max(1, deliveries / 5 / n);
      delivered.reset();
      progress("N=%d: warm-up: %,d events", n, warmEvents);
      pump(host, n, warmEvents, delivered);
      waitFor(() -> delivered.sum() >= warmEvents * n, 300, "warm-up deliveries");

      // throughput: M events with a bounded number in flight
      long events = Math.max(1, deliveries / n);
      delivered.reset();
      latency.reset();
      progress("N=%d: heap/idle session %.1f KiB; throughput run: %,d events x %d sessions, window %d", n,
          heapPerSession / 1024, events, n, window);
      String loadBefore = loadAverage();
      long cpuBefore = cpuTicks(relay.pid());
      long selfCpuBefore = cpuTicks(ProcessHandle.current().pid());
      long start = System.nanoTime();
      pump(host, n, events, delivered);
      long total = events * n;
      waitFor(() -> delivered.sum() >= total, 300, "throughput deliveries");
      double seconds = (System.nanoTime() - start) / 1e9;
      double relayCpuSeconds = (cpuTicks(relay.pid()) - cpuBefore) / 100.0;
      double loadGenCpuSeconds = (cpuTicks(ProcessHandle.current().pid()) - selfCpuBefore) / 100.0;
      long exact = delivered.sum();
      if (exact != total) {
        throw new IllegalStateException("delivered " + exact + " frames, expected " + total);
      }
      Histogram loaded = latency.getIntervalHistogram();

      // paced: one event at a time, each delivered everywhere before the next
      delivered.reset();
      latency.reset();
      for (int e = 1; e <= pacedEvents; e++) {
        publish(host, System.nanoTime());
        long want = (long) e * n;
        waitFor(() -> delivered.sum() >= want, 60, "paced delivery");
      }
      Histogram paced = latency.getIntervalHistogram();
      Result r = new Result(n, total, total / seconds, loaded, paced, heapPerSession, rss,
          relayCpuSeconds * 1e6 / total, loadGenCpuSeconds * 1e6 / total, seconds, loadBefore);
      System.out.printf(Locale.ROOT, "N=%d: %.0f deliveries/s in %.2f s, loaded p50=%d us p99=%d us, paced p50=%d us"
              + " p99=%d us, heap/session=%.0f B, relay RSS=%d MiB, CPU per delivery: relay %.3f us, load generator"
              + " %.3f us (load average before: %s)%n", n, r.deliveriesPerSecond(), seconds,
          loaded.getValueAtPercentile(50), loaded.getValueAtPercentile(99),
          paced.getValueAtPercentile(50), paced.getValueAtPercentile(99), heapPerSession, rss / 1024,
          r.relayCpuMicrosPerDelivery(), r.loadGenCpuMicrosPerDelivery(), loadBefore);
      return r;
    } finally {
      relay.destroy();
      if (!relay.waitFor(20, TimeUnit.SECONDS)) {
        relay.destroyForcibly();
      }
      BenchFiles.deleteTree(dir);
    }
  }

  private static final byte[] EVENT_PREFIX = "{\"type\":\"event\"".getBytes(StandardCharsets.US_ASCII);

  private static boolean startsWith(ByteBuf b, int r, int len, byte[] prefix) {
    if (len < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b.getByte(r + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The publish timestamp: the number just before the closing {@code }}} of the event. */
  private static long trailingNumber(ByteBuf b, int from, int len) {
    int end = from + len - 1;
    while (end >= from && !isDigit(b.getByte(end))) {
      end--;
    }
    int start = end;
    while (start > from && isDigit(b.getByte(start - 1))) {
      start--;
    }
    long t = 0;
    for (int i = start; i <= end; i++) {
      t = t * 10 + (b.getByte(i) - '0');
    }
    return t;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static void progress(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%tT] " + format + "%n", prepend(new java.util.Date(), args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * Publishes {@code events} events keeping at most {@code window} of them in flight (published
   * but not yet delivered to all n sessions); whenever there is room, the missing events are
   * written in one go and flushed once, so the publisher does not cost a wake-up per event.
   */
  private void pump(Channel host, int n, long events, LongAdder delivered) {
    long base = delivered.sum();
    long published = 0;
    while (published < events) {
      long done = (delivered.sum() - base) / n;
      long room = Math.min(window - (published - done), events - published);
      if (room <= 0) {
        LockSupport.parkNanos(100_000);
        continue;
      }
      for (long i = 0; i < room; i++) {
        host.write(new TextWebSocketFrame(publishText(System.nanoTime())), host.voidPromise());
      }
      host.flush();
      published += room;
    }
  }

  private static String publishText(long t) {
    return "{\"type\":\"publish\",\"topic\":\"bench\",\"body\":{\"type\":\"bench.tick\",\"t\":" + t + "}}";
  }

  private static void publish(Channel host, long t) {
    BenchSockets.send(host, "{\"type\":\"publish\",\"topic\":\"bench\",\"body\":{\"type\":\"bench.tick\",\"t\":" + t + "}}");
  }

  private static long heapAfterGc(HttpClient http, String base, long pid) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    for (int i = 0; i < 2; i++) {
      Process p = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor(60, TimeUnit.SECONDS);
    }
    String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = HEAP.matcher(metrics);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return (long) sum;
  }

  /** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static JsonNode post(HttpClient http, String url, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static void waitHealthy(HttpClient http, String base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // the relay is still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("relay did not become healthy");
  }

  private static void waitFor(BooleanSupplier condition, int seconds, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Prints the results as a Markdown table (for docs/performance.md). */
  static final class PrintTable {
    private PrintTable() {}

    static void print(List<Result> results) {
      System.out.println();
      System.out.println("| sessions | deliveries | deliveries/s | p50 loaded | p99 loaded | p50 paced | p99 paced"
          + " | heap/idle session | relay RSS | relay CPU/delivery | load-gen CPU/delivery | load avg (1/5/15 min) |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
      for (Result r : results) {
        System.out.printf(Locale.ROOT,
            "| %,d | %,d | %,.0f | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.1f KiB | %d MiB | %.3f µs | %.3f µs | %s |%n",
            r.sessions(), r.deliveries(), r.deliveriesPerSecond(),
            r.loaded().getValueAtPercentile(50) / 1000.0, r.loaded().getValueAtPercentile(99) / 1000.0,
            r.paced().getValueAtPercentile(50) / 1000.0, r.paced().getValueAtPercentile(99) / 1000.0,
            r.heapPerSessionBytes() / 1024, r.relayRssKib() / 1024, r.relayCpuMicrosPerDelivery(),
            r.loadGenCpuMicrosPerDelivery(), r.loadAverage());
      }
    }
  }
}
