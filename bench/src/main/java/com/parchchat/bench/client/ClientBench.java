package com.parchchat.bench.client;

import com.parchchat.bench.BenchFiles;
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
  @Option(names = "--untuned-launches", defaultValue = "2",
      description = "untuned launches; 0 also skips the untuned idle RSS")
  int untunedLaunches;
  @Option(names = "--idle-seconds", defaultValue = "30") int idleSeconds;
  @Option(names = "--scroll-minutes", defaultValue = "3",
      description = "cap for the whole scroll phase (wheel scroll-back, stress, jump to the oldest)")
  double scrollMinutes;
  @Option(names = "--phases", split = ",", defaultValue = "launch,rss,scroll",
      description = "which phases to run: launch, rss, scroll (e.g. --phases scroll for a quick scroll-only run)")
  java.util.Set<String> phases;
  @Option(names = "--scroll-speed", defaultValue = "4000",
      description = "px/s of the realistic scroll-back (a steady mouse wheel / trackpad flick)")
  double scrollSpeed;
  @Option(names = "--wheel-seconds", defaultValue = "60", description = "length of the realistic scroll-back")
  int wheelSeconds;
  @Option(names = "--stress-seconds", defaultValue = "45",
      description = "length of the 2,500 px per frame stress scroll (0: skip)")
  int stressSeconds;
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
      Path xdgCache = dir.resolve("xdg-cache");
      if (phases.contains("launch")) {
        launchToLogin(dir, xdgCache);
      }
      if (!phases.contains("rss") && !phases.contains("scroll")) {
        return 0;
      }
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
      if (phases.contains("rss")) {
        // the user's own cache dir as the launches above left it (AppCDS archive, renderer probe):
        // a user who has started the app before
        Map<String, String> xdg = Map.of("XDG_CACHE_HOME", xdgCache.toString());
        if (!phases.contains("launch")) {
          idleRss(cfg, "tuned, first launch (no AppCDS archive, renderer probed)", xdg);
        }
        idleRss(cfg, "tuned (default)", xdg);
        if (untunedLaunches > 0) {
          idleRss(cfg, "untuned (PARCH_NO_RELAUNCH=1)", env(xdg, "PARCH_NO_RELAUNCH", "1"));
        }
      }
      if (phases.contains("scroll")) {
        scroll(relay, cfg, seed.getProperty("channelId"));
      }
      return 0;
    } finally {
      stopAll();
      Platform.exit();
      printSummary();
    }
  }

  // ---- launch ----

  private void launchToLogin(Path dir, Path xdgCache) throws Exception {
    Map<String, String> xdg = Map.of("XDG_CACHE_HOME", xdgCache.toString());
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
    BenchFiles.deleteTree(root);
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
    System.out.println("  largest resident mappings: " + largestMappings(child, 8));
    long parentKb = child != p.pid() && p.isAlive() ? rssKb(p.pid()) : 0;
    System.out.printf(Locale.ROOT, "idle RSS %s after %d s: app JVM %d MB, launcher parent %s%n", label, idleSeconds,
        childKb / 1024, child == p.pid() ? "none (same process)" : p.isAlive() ? parentKb / 1024 + " MB" : "exited");
    row("idle RSS " + label + ", signed in, 1 host, 3 spaces, channel of 50 open, after " + idleSeconds + " s",
        (childKb + parentKb) / 1024 + " MB" + (parentKb > 0 ? " (incl. parent " + parentKb / 1024 + " MB)" : ""));
    stop(child, p);
  }

  /** The {@code n} largest resident mappings of a process by file (anonymous memory summed), from smaps. */
  static String largestMappings(long pid, int n) {
    Map<String, Long> kb = new HashMap<>();
    try {
      String name = "[anon]";
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
        if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
          String[] f = line.trim().split("\\s+");
          name = f.length >= 6 ? Path.of(f[5]).getFileName().toString() : "[anon]";
        } else if (line.startsWith("Rss:")) {
          kb.merge(name, Long.parseLong(line.replaceAll("[^0-9]", "")), Long::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unavailable (" + e.getMessage() + ")";
    }
    StringBuilder sb = new StringBuilder();
    kb.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
        .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
            .append(e.getValue() / 1024).append(" MB"));
    return sb.toString();
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

    long capNanos = (long) (scrollMinutes * 60e9);
    long phaseStart = System.nanoTime();
    ListView<Object> lv = list[0];
    Thread.sleep(2000); // let the opened channel settle (first layout, unread marking)

    // 1. what a user does: a steady scroll-back at a realistic speed (time-based, like a wheel or a
    //    trackpad: a slow frame makes the next step bigger), newest → older
    long wheelNanos = Math.min(wheelSeconds * 1_000_000_000L, capNanos);
    ScrollRun wheel = runScroll(lv, wheelNanos, now -> -1.0, "wheel");
    row(String.format(Locale.ROOT, "scroll-back at %.0f px/s (wheel/trackpad), %d s", scrollSpeed, wheelSeconds),
        wheel.summary());

    // 2. stress: 2,500 px per frame (≈ 150,000 px/s at 60 Hz), continuing further back
    long left = capNanos - (System.nanoTime() - phaseStart);
    if (stressSeconds > 0 && left > 5_000_000_000L) {
      ScrollRun stress = runScroll(lv, Math.min(stressSeconds * 1_000_000_000L, left - 5_000_000_000L),
          now -> 2500.0, "stress");
      row("stress scroll, 2,500 px per frame, " + stressSeconds + " s", stress.summary());
    }

    // 3. to the oldest message of the channel: the Home key in the message list
    long t0 = System.nanoTime();
    Platform.runLater(() -> {
      lv.requestFocus();
      lv.fireEvent(new javafx.scene.input.KeyEvent(javafx.scene.input.KeyEvent.KEY_PRESSED, "", "",
          javafx.scene.input.KeyCode.HOME, false, true, false, false));
    });
    boolean oldest;
    try {
      await(() -> onFx(() -> {
        VirtualFlow<?> flow = (VirtualFlow<?>) lv.lookup(".virtual-flow");
        if (lv.getItems().isEmpty() || flow.getFirstVisibleCell() == null || flow.getFirstVisibleCell().getIndex() != 0) {
          return false;
        }
        return ((com.parchchat.client.core.ChatLine) lv.getItems().get(0)).message().content()
            .startsWith("Message number 0 ");
      }), Duration.ofSeconds(60));
      oldest = true;
    } catch (IllegalStateException e) {
      oldest = false;
    }
    long jumpMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf(Locale.ROOT, "Home (Ctrl+Home) → oldest message shown: %s in %d ms%n", oldest ? "yes" : "NO", jumpMs);
    row("jump to the oldest of " + messages + " messages (Home in the message list)",
        oldest ? jumpMs + " ms until message 0 is the first row shown" : "not reached within 60 s");
    Runtime rt = Runtime.getRuntime();
    System.gc();
    row("bench JVM heap after the scroll phase and a GC", ((rt.totalMemory() - rt.freeMemory()) >> 20) + " MB");
    client.close();
  }

  /**
   * Scrolls up by {@code px} the way a mouse wheel or trackpad does: a scroll event on the list's
   * flow (which the app sees, as it does a user's), not a call into the skin.
   */
  private static void wheel(VirtualFlow<?> flow, double px) {
    double x = flow.getWidth() / 2;
    double y = flow.getHeight() / 2;
    javafx.geometry.Point2D screen = flow.localToScreen(x, y);
    flow.fireEvent(new javafx.scene.input.ScrollEvent(javafx.scene.input.ScrollEvent.SCROLL, x, y,
        screen == null ? x : screen.getX(), screen == null ? y : screen.getY(), false, false, false, false, false,
        false, 0, px, 0, px, javafx.scene.input.ScrollEvent.HorizontalTextScrollUnits.NONE, 0,
        javafx.scene.input.ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null));
  }

  private static <T> T onFx(Callable<T> c) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Platform.runLater(() -> {
      try {
        f.complete(c.call());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f.join();
  }

  /** Frame intervals and progress of one scroll run. */
  private final class ScrollRun {
    final Histogram frames = new Histogram(3);
    /** CPU the FX thread spent per frame (events, CSS, layout, cell updates): what the load does not inflate. */
    final Histogram fxCpu = new Histogram(3);
    long renderCpuNanos;
    long slow33;
    long slow50;
    long pagesWaitNanos;
    int startSize;
    int endSize;
    long startFirst;
    long messagesPassed;
    long nanos;
    boolean reachedOldest;

    String summary() {
      return String.format(Locale.ROOT, "frame interval p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d frames "
              + "(%d > 33 ms, %d > 50 ms); %d messages scrolled past in %.1f s (%.0f/s), %.2f pages of %d "
              + "loaded per s, %.1f s stuck at the top waiting for a page%s",
          frames.getValueAtPercentile(50) / 1000.0, frames.getValueAtPercentile(99) / 1000.0,
          frames.getMaxValue() / 1000.0, frames.getTotalCount(), slow33, slow50, messagesPassed, nanos / 1e9,
          messagesPassed / (nanos / 1e9), (endSize - startSize) / (double) page / (nanos / 1e9), page,
          pagesWaitNanos / 1e9, reachedOldest ? "; reached the oldest message" : "")
          + String.format(Locale.ROOT, "; FX thread CPU per frame p50 %.1f ms, p99 %.1f ms, render thread %.1f ms "
              + "per frame", fxCpu.getValueAtPercentile(50) / 1000.0, fxCpu.getValueAtPercentile(99) / 1000.0,
          frames.getTotalCount() == 0 ? 0 : renderCpuNanos / 1e6 / frames.getTotalCount());
    }
  }

  /**
   * Scrolls the list up for {@code nanos}: {@code perFrame} gives a fixed step in px, or a negative
   * value for the time-based {@code --scroll-speed}.
   */
  private ScrollRun runScroll(ListView<Object> lv, long nanos, java.util.function.LongToDoubleFunction perFrame,
                              String label) throws Exception {
    ScrollRun run = new ScrollRun();
    CompletableFuture<Void> done = new CompletableFuture<>();
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long renderId = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("QuantumRenderer"))
        .mapToLong(Thread::getId).findFirst().orElse(-1);
    AnimationTimer timer = new AnimationTimer() {
      long lastCpu;
      long renderStart;
      long t0;
      long last;
      long windowStart;
      int windowSize;
      long windowPassed;
      final Histogram window = new Histogram(3);

      @Override
      public void handle(long now) {
        VirtualFlow<?> flow = (VirtualFlow<?>) lv.lookup(".virtual-flow");
        int size = lv.getItems().size();
        int first = flow.getFirstVisibleCell() == null ? 0 : flow.getFirstVisibleCell().getIndex();
        long cpu = mx.getCurrentThreadCpuTime();
        if (t0 != 0) {
          run.fxCpu.recordValue(Math.max(1, (cpu - lastCpu) / 1000));
        } else {
          renderStart = renderId < 0 ? 0 : mx.getThreadCpuTime(renderId);
        }
        lastCpu = cpu;
        if (t0 == 0) {
          t0 = now;
          last = now;
          windowStart = now;
          run.startSize = size;
          windowSize = size;
          run.startFirst = first;
          return;
        }
        long us = Math.max(1, (now - last) / 1000);
        run.frames.recordValue(us);
        window.recordValue(us);
        if (us > 33_000) {
          run.slow33++;
        }
        if (us > 50_000) {
          run.slow50++;
        }
        if (first == 0 && size < messages) {
          run.pagesWaitNanos += now - last;
        }
        double step = perFrame.applyAsDouble(now);
        if (step < 0) {
          step = scrollSpeed * (now - last) / 1e9;
        }
        last = now;
        // messages scrolled past: the distance from the start in rows, counting rows added above
        run.messagesPassed = (run.startFirst + (size - run.startSize)) - first;
        if (now - windowStart >= 5_000_000_000L) {
          Runtime rt = Runtime.getRuntime();
          System.out.printf(Locale.ROOT, "%s %4.0f s: %6d / %d loaded, %6d scrolled past, %.1f pages/s; frame "
                  + "p50 %.1f ms, p99 %.1f ms, max %.1f ms; heap used %d MB%n",
              label, (now - t0) / 1e9, size, messages, run.messagesPassed,
              (size - windowSize) / (double) page / ((now - windowStart) / 1e9),
              window.getValueAtPercentile(50) / 1000.0, window.getValueAtPercentile(99) / 1000.0,
              window.getMaxValue() / 1000.0, (rt.totalMemory() - rt.freeMemory()) >> 20);
          window.reset();
          windowStart = now;
          windowSize = size;
        }
        boolean atOldest = size >= messages && first == 0;
        if (atOldest || now - t0 >= nanos) {
          run.reachedOldest = atOldest;
          run.endSize = size;
          run.nanos = now - t0;
          run.renderCpuNanos = renderId < 0 ? 0 : mx.getThreadCpuTime(renderId) - renderStart;
          stop();
          done.complete(null);
          return;
        }
        wheel(flow, step);
      }
    };
    Platform.runLater(timer::start);
    done.get(nanos / 1_000_000_000L + 60, TimeUnit.SECONDS);
    System.out.println(label + ": " + run.summary());
    return run;
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
