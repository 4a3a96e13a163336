package com.parchchat.bench.client;

import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.ui.AppShell;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.scene.control.skin.VirtualFlow;
import javafx.stage.Stage;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Client figures for docs/performance.md, all against the real jars as processes under
 * {@code xvfb-run -a} (real GTK glass):
 * <ul>
 *   <li>launch → login window of {@code java -jar parch-client.jar}, as the user sees it (process
 *       start to first frame), untuned ({@code PARCH_NO_RELAUNCH=1}) against the default tuned
 *       relaunch, the first tuned launch without its AppCDS archive (it writes it at exit);</li>
 *   <li>idle RSS signed in with one host, 3 spaces × 3 channels and a channel of 50 messages open,
 *       tuned and untuned; the relaunched child's RSS plus the parent's if it is still alive (it
 *       exits once the window is shown);</li>
 *   <li>scrolling the seeded channel (default 100,000 messages) from newest to oldest in the real
 *       UI through the real relay and host, in this JVM, for at most {@code --scroll-minutes},
 *       printing progress every 5 s (messages loaded, pages/s, pulse intervals, heap).</li>
 * </ul>
 * The seeded relay, host and bench-user dirs are cached in {@code --cache-dir} (copied for each
 * run, so a rerun skips the seeding). Prints a summary table at the end.
 */
@Command(name = "client-bench", mixinStandardHelpOptions = true)
public final class ClientBench implements Callable<Integer> {
  private static final Pattern SHOWN = Pattern.compile(
      "window shown (\\d+) ms after launch \\((\\d+) ms after JVM start, pid (\\d+)\\)");
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final String PASSWORD = "bench-password";

  @Option(names = "--relay-jar", required = true) Path relayJar;
  @Option(names = "--host-jar", required = true) Path hostJar;
  @Option(names = "--client-jar", required = true) Path clientJar;
  @Option(names = "--messages", defaultValue = "100000") int messages;
  @Option(names = "--launches", defaultValue = "5", description = "tuned launches (the first without AppCDS archive)")
  int launches;
  @Option(names = "--untuned-launches", defaultValue = "2") int untunedLaunches;
  @Option(names = "--idle-seconds", defaultValue = "30") int idleSeconds;
  @Option(names = "--scroll-minutes", defaultValue = "3") double scrollMinutes;
  @Option(names = "--page", defaultValue = "100", description = "history page size while scrolling")
  int page;
  @Option(names = "--cache-dir", defaultValue = "/var/tmp/parch-bench/client") Path cacheDir;

  private final List<Process> processes = new ArrayList<>();
  private final List<String[]> summary = new ArrayList<>();
  private String hostKey;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ClientBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("parch-client-bench");
    try {
      System.out.printf(Locale.ROOT, "load average at start: %.2f%n", loadAverage());
      launchToLogin(dir);
      Path seeded = seedOnce();
      Path stack = dir.resolve("stack");
      copyTree(seeded, stack);
      Properties seed = new Properties();
      try (var in = Files.newInputStream(seeded.resolve("seed.properties"))) {
        seed.load(in);
      }
      int port = freePort();
      URI relay = URI.create("http://127.0.0.1:" + port);
      startStack(stack, port);
      Path cfg = stack.resolve("bench-user");
      login(relay, cfg);
      idleRss(cfg, "tuned (default)", Map.of());
      idleRss(cfg, "untuned (PARCH_NO_RELAUNCH=1)", Map.of("PARCH_NO_RELAUNCH", "1"));
      scroll(relay, cfg, seed.getProperty("channelId"));
      return 0;
    } finally {
      stopAll();
      Platform.exit();
      printSummary();
    }
  }

  // ---- launch ----

  private void launchToLogin(Path dir) throws Exception {
    Map<String, String> xdg = Map.of("XDG_CACHE_HOME", dir.resolve("xdg-cache").toString());
    Histogram untuned = new Histogram(3);
    for (int i = 0; i < untunedLaunches; i++) {
      untuned.recordValue(launchOnce(dir.resolve("untuned-" + i), env(xdg, "PARCH_NO_RELAUNCH", "1"), "untuned"));
    }
    long cold = -1;
    Histogram warm = new Histogram(3);
    for (int i = 0; i < launches; i++) {
      long ms = launchOnce(dir.resolve("tuned-" + i), xdg, i == 0 ? "tuned, no AppCDS archive yet" : "tuned");
      if (i == 0) {
        cold = ms;
      } else {
        warm.recordValue(ms);
      }
    }
    if (untunedLaunches > 0) {
      row("launch → login shown, untuned (G1 defaults, no AppCDS)", untunedLaunches + " launches: median "
          + untuned.getValueAtPercentile(50) + " ms, max " + untuned.getMaxValue() + " ms");
    }
    row("launch → login shown, tuned relaunch, first launch (writes AppCDS archive at exit)", cold + " ms");
    if (warm.getTotalCount() > 0) {
      row("launch → login shown, tuned relaunch with AppCDS", warm.getTotalCount() + " launches: median "
          + warm.getValueAtPercentile(50) + " ms, max " + warm.getMaxValue() + " ms");
    }
  }

  /** Starts {@code java -jar parch-client.jar}, returns ms from process start to the login window, stops it. */
  private long launchOnce(Path cfg, Map<String, String> env, String label) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", clientJar.toString(), "--config-dir", cfg.toString())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    processes.add(p);
    Matcher m = awaitMatch(p, SHOWN, Duration.ofSeconds(180));
    long wall = (System.nanoTime() - t0) / 1_000_000;
    long pid = Long.parseLong(m.group(3));
    System.out.printf(Locale.ROOT, "launch %-32s process start → login shown %5d ms (child JVM start → shown %s ms)%n",
        label, wall, m.group(2));
    stop(pid, p);
    return wall;
  }

  /** Ends the app (SIGTERM, so a first tuned launch writes its archive) and waits for it and its parent. */
  private static void stop(long childPid, Process parent) throws Exception {
    ProcessHandle.of(childPid).ifPresent(h -> {
      h.destroy();
      try {
        h.onExit().get(90, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    });
    parent.destroy();
    parent.waitFor(10, TimeUnit.SECONDS);
  }

  // ---- seeding (cached) ----

  /** The seeded relay + host + bench-user dirs for {@code messages}, made once and kept in the cache dir. */
  private Path seedOnce() throws Exception {
    Path root = cacheDir.resolve("seed-" + messages);
    if (Files.exists(root.resolve("seed.properties"))) {
      System.out.println("using the seeded data in " + root + " (delete it to seed again)");
      row("seeding", "cached in " + root);
      return root;
    }
    deleteTree(root);
    Files.createDirectories(root);
    int port = freePort();
    URI relay = URI.create("http://127.0.0.1:" + port);
    startStack(root, port);
    String channelId = seed(relay, root.resolve("bench-user"));
    stopAll();
    Properties p = new Properties();
    p.setProperty("channelId", channelId);
    p.setProperty("messages", String.valueOf(messages));
    try (var out = Files.newOutputStream(root.resolve("seed.properties"))) {
      p.store(out, "ClientBench seed");
    }
    return root;
  }

  private void startStack(Path dir, int port) throws Exception {
    Path relayCfg = dir.resolve("relay.yaml");
    Files.writeString(relayCfg, "limits:\n  messagesPerSecond: 100000\n  messageBurst: 100000\n"
        + "  floodDisconnectAfter: 1000000\n");
    Process relay = new ProcessBuilder("java", "-Xmx512m", "-jar", relayJar.toString(), "-c", relayCfg.toString(),
        "--port", String.valueOf(port), "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024")
        .redirectErrorStream(true).redirectOutput(dir.resolve("relay.log").toFile()).start();
    processes.add(relay);
    URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
    HttpClient http = HttpClient.newHttpClient();
    await(() -> {
      try {
        return http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, Duration.ofSeconds(120));
    Path hostDir = dir.resolve("host");
    Files.createDirectories(hostDir);
    Path hostYaml = hostDir.resolve("host.yaml");
    String relayLine = "relay: \"http://127.0.0.1:" + port + "\"";
    if (Files.exists(hostYaml)) {
      // a seeded host: keep its Host Key (hostId) and settings, point it at this run's relay port
      Files.writeString(hostYaml, Files.readString(hostYaml).replaceFirst("(?m)^relay:.*$", relayLine));
    } else {
      Files.writeString(hostYaml, relayLine + "\nname: Bench Host\nmessageBurst: 100000\nmessagesPerSecond: 100000.0\n");
    }
    Process host = new ProcessBuilder("java", "-Xmx512m", "-jar", hostJar.toString(), "--data-dir", hostDir.toString())
        .redirectErrorStream(true).start();
    processes.add(host);
    hostKey = awaitMatch(host, HOST_KEY, Duration.ofSeconds(120)).group(1);
  }

  /** Registers the bench user, three spaces, and fills one channel with {@code messages} messages. */
  private String seed(URI relay, Path cfg) throws Exception {
    ClientConfig config = ClientConfig.defaults(cfg).withDefaultRelay(relay).withMaxFramesPerSecond(20_000)
        .withMaxInFlightSends(32);
    try (ParchClient c = new ParchClient(config)) {
      c.register(relay, "bench", "Bench User", "bench@example.org", PASSWORD).get(120, TimeUnit.SECONDS);
      HostSession h = c.addHost(hostKey);
      await(() -> h.phase().get() == HostSession.Phase.READY, Duration.ofSeconds(120));
      SpaceState first = null;
      for (String name : List.of("Alpha", "Beta", "Gamma")) {
        SpaceState s = h.createSpace(name).get(60, TimeUnit.SECONDS);
        for (String ch : List.of("general", "links", "help")) {
          if (s.channels().get().stream().noneMatch(x -> x.name().equals(ch))) {
            h.createChannel(s.id(), ch, ChannelKind.TEXT).get(60, TimeUnit.SECONDS);
          }
        }
        if (first == null) {
          first = s;
        }
      }
      Channel target = first.channels().get().stream().filter(x -> x.kind() == ChannelKind.TEXT).findFirst().orElseThrow();
      long t0 = System.nanoTime();
      long lastPrint = t0;
      int chunk = 1000;
      for (int i = 0; i < messages; i += chunk) {
        for (int j = i; j < Math.min(messages, i + chunk); j++) {
          h.send(target.id(), "Message number " + j + " with a little **markdown** and a link https://example.org/" + j, null);
        }
        await(() -> h.pendingSends() == 0, Duration.ofSeconds(300));
        if (System.nanoTime() - lastPrint > 5e9) {
          lastPrint = System.nanoTime();
          System.out.printf(Locale.ROOT, "seeding: %d / %d messages, %.0f msg/s%n", i + chunk, messages,
              (i + chunk) / ((lastPrint - t0) / 1e9));
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "seeded %d messages through relay+host in %.1f s (%.0f msg/s)%n",
          messages, secs, messages / secs);
      row("seeding " + messages + " messages through relay + host (client outbox, 32 in flight)",
          String.format(Locale.ROOT, "%.1f s (%.0f msg/s)", secs, messages / secs));
      return target.id();
    }
  }

  /** A fresh login (the cached session may have expired), remembered in the bench user's config dir. */
  private static void login(URI relay, Path cfg) throws Exception {
    try (ParchClient c = new ParchClient(ClientConfig.defaults(cfg).withDefaultRelay(relay))) {
      c.login(relay, "bench", PASSWORD, true).get(120, TimeUnit.SECONDS);
    }
  }

  // ---- idle RSS ----

  private void idleRss(Path cfg, String label, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", clientJar.toString(), "--config-dir", cfg.toString())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    Matcher m = awaitMatch(p, SHOWN, Duration.ofSeconds(180));
    long child = Long.parseLong(m.group(3));
    Thread.sleep(idleSeconds * 1000L);
    long childKb = rssKb(child);
    long parentKb = child != p.pid() && p.isAlive() ? rssKb(p.pid()) : 0;
    System.out.printf(Locale.ROOT, "idle RSS %s after %d s: app JVM %d MB, launcher parent %s%n", label, idleSeconds,
        childKb / 1024, child == p.pid() ? "none (same process)" : p.isAlive() ? parentKb / 1024 + " MB" : "exited");
    row("idle RSS " + label + ", signed in, 1 host, 3 spaces, channel of 50 open, after " + idleSeconds + " s",
        (childKb + parentKb) / 1024 + " MB" + (parentKb > 0 ? " (incl. parent " + parentKb / 1024 + " MB)" : ""));
    stop(child, p);
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  // ---- scroll ----

  /** In this JVM: the real UI, signed in as the bench user, scrolled from newest to oldest. */
  private void scroll(URI relay, Path cfg, String channelId) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    Platform.startup(started::countDown);
    started.await();
    ParchClient client = new ParchClient(ClientConfig.defaults(cfg).withDefaultRelay(relay).withHistoryPage(page));
    CompletableFuture<Scene> sceneF = new CompletableFuture<>();
    Platform.runLater(() -> {
      Stage stage = new Stage();
      AppShell shell = new AppShell(client, u -> { });
      Scene scene = new Scene(shell, 1280, 800);
      shell.attach(scene);
      stage.setScene(scene);
      stage.show();
      shell.startup();
      sceneF.complete(scene);
    });
    Scene scene = sceneF.get(120, TimeUnit.SECONDS);
    @SuppressWarnings("unchecked")
    ListView<Object>[] list = new ListView[1];
    await(() -> {
      CompletableFuture<Boolean> ok = new CompletableFuture<>();
      Platform.runLater(() -> {
        Node n = scene.lookup("#message-list");
        if (n instanceof ListView) {
          @SuppressWarnings("unchecked")
          ListView<Object> lv = (ListView<Object>) n;
          list[0] = lv;
        }
        ok.complete(list[0] != null && list[0].getItems().size() >= 50);
      });
      return ok.join();
    }, Duration.ofSeconds(180));

    Histogram pulses = new Histogram(3);
    CompletableFuture<Long> done = new CompletableFuture<>();
    long capNanos = (long) (scrollMinutes * 60e9);
    int startSize = list[0].getItems().size();
    long t0 = System.nanoTime();
    boolean[] reachedTop = new boolean[1];
    AnimationTimer timer = new AnimationTimer() {
      long last;
      long windowStart = t0;
      int windowSize = startSize;
      final Histogram window = new Histogram(3);

      @Override
      public void handle(long now) {
        if (last != 0) {
          long us = Math.max(1, (now - last) / 1000);
          pulses.recordValue(us);
          window.recordValue(us);
        }
        last = now;
        VirtualFlow<?> flow = (VirtualFlow<?>) list[0].lookup(".virtual-flow");
        int size = list[0].getItems().size();
        if (now - windowStart >= 5_000_000_000L) {
          Runtime rt = Runtime.getRuntime();
          System.out.printf(Locale.ROOT, "scroll %5.0f s: %6d / %d messages loaded, %.1f pages/s; pulse interval "
                  + "p50 %.1f ms, p99 %.1f ms, max %.1f ms; heap used %d MB%n",
              (now - t0) / 1e9, size, messages, (size - windowSize) / (double) page / ((now - windowStart) / 1e9),
              window.getValueAtPercentile(50) / 1000.0, window.getValueAtPercentile(99) / 1000.0,
              window.getMaxValue() / 1000.0, (rt.totalMemory() - rt.freeMemory()) >> 20);
          window.reset();
          windowStart = now;
          windowSize = size;
        }
        boolean atTop = flow.getFirstVisibleCell() != null && flow.getFirstVisibleCell().getIndex() == 0;
        if ((size >= messages && atTop) || now - t0 >= capNanos) {
          reachedTop[0] = size >= messages && atTop;
          stop();
          done.complete(now - t0);
          return;
        }
        flow.scrollPixels(-2500);
      }
    };
    Platform.runLater(timer::start);
    long nanos = done.get((long) (scrollMinutes * 60 + 60), TimeUnit.SECONDS);
    int loaded = list[0].getItems().size();
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long heapMb = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
    String what = String.format(Locale.ROOT, "%s: %d of %d messages loaded in %.1f s (%.1f pages of %d per s); "
            + "pulse interval p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d frames; heap after GC %d MB",
        reachedTop[0] ? "reached the oldest message" : "stopped at the " + scrollMinutes + " min cap",
        loaded, messages, nanos / 1e9, (loaded - startSize) / (double) page / (nanos / 1e9), page,
        pulses.getValueAtPercentile(50) / 1000.0, pulses.getValueAtPercentile(99) / 1000.0,
        pulses.getMaxValue() / 1000.0, pulses.getTotalCount(), heapMb);
    System.out.println("scroll " + what);
    row("scroll newest → oldest in the real UI (2,500 px per frame)", what);
    client.close();
  }

  // ---- helpers ----

  private void row(String figure, String value) {
    summary.add(new String[] {figure, value});
  }

  private void printSummary() {
    System.out.println();
    System.out.printf(Locale.ROOT, "== ClientBench summary (load average now %.2f) ==%n", loadAverage());
    int w = summary.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    for (String[] r : summary) {
      System.out.printf(Locale.ROOT, "%-" + w + "s | %s%n", r[0], r[1]);
    }
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static Map<String, String> env(Map<String, String> base, String k, String v) {
    Map<String, String> m = new HashMap<>(base);
    m.put(k, v);
    return m;
  }

  private void stopAll() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  private static Matcher awaitMatch(Process p, Pattern pattern, Duration timeout) throws Exception {
    CompletableFuture<Matcher> found = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = pattern.matcher(line);
          if (m.find() && !found.isDone()) {
            found.complete(m);
          }
        }
      } catch (IOException e) {
        found.completeExceptionally(e);
      }
      found.completeExceptionally(new IllegalStateException("process ended without " + pattern));
    }, "bench-reader");
    reader.setDaemon(true);
    reader.start();
    return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void await(BooleanSupplier cond, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
