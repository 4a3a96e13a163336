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
import java.util.ArrayList;
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
 * Client figures for docs/performance.md: launch-to-login time of the real jar, idle RSS of the
 * real jar signed in with one host and a few spaces, and scrolling a 100,000-message channel from
 * newest to oldest through the real relay and host (virtualized list, pages loaded on scroll-up),
 * recording the JavaFX pulse intervals. Needs a display (run under {@code xvfb-run -a}).
 *
 * <pre>
 * xvfb-run -a java -cp bench/target-x/parch-bench.jar com.parchchat.bench.client.ClientBench \
 *   --relay-jar relay/target-x/parch-relay.jar --host-jar host/target-x/parch-host.jar \
 *   --client-jar client/target-x/parch-client.jar --messages 100000
 * </pre>
 */
@Command(name = "client-bench", mixinStandardHelpOptions = true)
public final class ClientBench implements Callable<Integer> {
  private static final Pattern SHOWN = Pattern.compile("window shown (\\d+) ms after JVM start");
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");

  @Option(names = "--relay-jar", required = true) Path relayJar;
  @Option(names = "--host-jar", required = true) Path hostJar;
  @Option(names = "--client-jar", required = true) Path clientJar;
  @Option(names = "--messages", defaultValue = "100000") int messages;
  @Option(names = "--launches", defaultValue = "5") int launches;
  @Option(names = "--idle-seconds", defaultValue = "20") int idleSeconds;

  private final List<Process> processes = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new ClientBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("parch-client-bench");
    try {
      launchToLogin(dir);
      int port = freePort();
      URI relay = URI.create("http://127.0.0.1:" + port);
      startStack(dir, port);
      Path cfg = dir.resolve("bench-user");
      String channelId = seed(relay, cfg);
      idleRss(cfg, List.of());
      idleRss(cfg, List.of("-Dprism.order=sw"));
      scroll(relay, cfg, channelId);
      return 0;
    } finally {
      for (Process p : processes) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      Platform.exit();
    }
  }

  private void launchToLogin(Path dir) throws Exception {
    Histogram shown = new Histogram(3);
    Histogram wall = new Histogram(3);
    for (int i = 0; i < launches; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder("java", "-jar", clientJar.toString(),
          "--config-dir", dir.resolve("launch-" + i).toString())
          .redirectErrorStream(true).start();
      processes.add(p);
      long ms = awaitLine(p, SHOWN, Duration.ofSeconds(180));
      wall.recordValue((System.nanoTime() - t0) / 1_000_000);
      shown.recordValue(ms);
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    System.out.printf(Locale.ROOT, "launch-to-login (JVM start → login window shown), %d launches: "
            + "median %d ms, max %d ms; process start → shown: median %d ms, max %d ms%n",
        launches, shown.getValueAtPercentile(50), shown.getMaxValue(),
        wall.getValueAtPercentile(50), wall.getMaxValue());
  }

  private static long awaitLine(Process p, Pattern pattern, Duration timeout) throws Exception {
    CompletableFuture<Long> found = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = pattern.matcher(line);
          if (m.find() && !found.isDone()) {
            found.complete(Long.parseLong(m.group(1)));
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
    Files.writeString(hostDir.resolve("host.yaml"), "relay: http://127.0.0.1:" + port + "\nname: Bench Host\n"
        + "messageBurst: 100000\nmessagesPerSecond: 100000.0\n");
    Process host = new ProcessBuilder("java", "-Xmx512m", "-jar", hostJar.toString(), "--data-dir", hostDir.toString())
        .redirectErrorStream(true).start();
    processes.add(host);
    hostKey = String.valueOf(awaitString(host, HOST_KEY, Duration.ofSeconds(120)));
  }

  private String hostKey;

  private static String awaitString(Process p, Pattern pattern, Duration timeout) throws Exception {
    CompletableFuture<String> found = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = pattern.matcher(line);
          if (m.find() && !found.isDone()) {
            found.complete(m.group(1));
          }
        }
      } catch (IOException e) {
        found.completeExceptionally(e);
      }
    }, "bench-host-reader");
    reader.setDaemon(true);
    reader.start();
    return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Registers the bench user, three spaces, and fills one channel with {@code messages} messages. */
  private String seed(URI relay, Path cfg) throws Exception {
    ClientConfig config = ClientConfig.defaults(cfg).withDefaultRelay(relay).withMaxFramesPerSecond(20_000).withMaxInFlightSends(16);
    try (ParchClient c = new ParchClient(config)) {
      c.register(relay, "bench", "Bench User", "bench@example.org", "bench-password").get(120, TimeUnit.SECONDS);
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
      int chunk = 1000;
      for (int i = 0; i < messages; i += chunk) {
        for (int j = i; j < Math.min(messages, i + chunk); j++) {
          h.send(target.id(), "Message number " + j + " with a little **markdown** and a link https://example.org/" + j, null);
        }
        await(() -> h.pendingSends() == 0, Duration.ofSeconds(120));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "seeded %d messages through relay+host in %.1f s (%.0f msg/s)%n",
          messages, secs, messages / secs);
      return target.id();
    }
  }

  private void idleRss(Path cfg, List<String> jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", clientJar.toString(), "--config-dir", cfg.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    processes.add(p);
    awaitLine(p, SHOWN, Duration.ofSeconds(180));
    Thread.sleep(idleSeconds * 1000L);
    long rssKb = rssKb(p.pid());
    System.out.printf(Locale.ROOT, "idle RSS of parch-client.jar %s signed in, 1 host, 3 spaces (9 channels), "
        + "one channel open, after %d s: %d MB%n", jvmOptions, idleSeconds, rssKb / 1024);
    p.destroy();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** In this JVM: the real UI, signed in as the bench user, scrolled from newest to oldest. */
  private void scroll(URI relay, Path cfg, String channelId) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    Platform.startup(started::countDown);
    started.await();
    ParchClient client = new ParchClient(ClientConfig.defaults(cfg).withDefaultRelay(relay).withHistoryPage(100));
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
        if (list[0] != null && list[0].getItems().size() < 50) {
          System.out.println("message list has " + list[0].getItems().size() + " lines; channel="
              + text(scene, "#chat-channel-name") + " space=" + text(scene, "#space-title")
              + " error=" + text(scene, "#error-banner") + " host=" + text(scene, "#host-status"));
        }
      });
      return ok.join();
    }, Duration.ofSeconds(180));

    Histogram pulses = new Histogram(3);
    CompletableFuture<Long> done = new CompletableFuture<>();
    long t0 = System.nanoTime();
    AnimationTimer timer = new AnimationTimer() {
      long last;

      @Override
      public void handle(long now) {
        if (last != 0) {
          pulses.recordValue(Math.max(1, (now - last) / 1000));
        }
        last = now;
        VirtualFlow<?> flow = (VirtualFlow<?>) list[0].lookup(".virtual-flow");
        if (list[0].getItems().size() >= messages && flow.getFirstVisibleCell() != null
            && flow.getFirstVisibleCell().getIndex() == 0) {
          stop();
          done.complete(System.nanoTime() - t0);
          return;
        }
        flow.scrollPixels(-2500);
      }
    };
    Platform.runLater(timer::start);
    long nanos = done.get(30, TimeUnit.MINUTES);
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long heapMb = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
    System.out.printf(Locale.ROOT, "scrolled %d messages newest → oldest in %.1f s (%d frames, pages of %d loaded on "
            + "scroll-up); frame interval p50 %.1f ms, p99 %.1f ms, max %.1f ms; heap after %d MB, RSS %d MB%n",
        messages, nanos / 1e9, pulses.getTotalCount(), client.config().historyPage(),
        pulses.getValueAtPercentile(50) / 1000.0, pulses.getValueAtPercentile(99) / 1000.0,
        pulses.getMaxValue() / 1000.0, heapMb, rssKb(ProcessHandle.current().pid()) / 1024);
    client.close();
  }

  private static String text(Scene scene, String id) {
    Node n = scene.lookup(id);
    return n instanceof javafx.scene.control.Labeled ? ((javafx.scene.control.Labeled) n).getText() : "-";
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
