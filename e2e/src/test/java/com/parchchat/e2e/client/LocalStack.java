package com.parchchat.e2e.client;

import com.parchchat.testkit.process.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real relay and a real host, as processes from the built jars, on loopback with fresh data
 * dirs. The host can be stopped and started again on the same data (restart tests).
 */
final class LocalStack implements AutoCloseable {
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");

  private static final Pattern LISTENING = Pattern.compile("relay listening on http://[^:]+:(\\d+)");

  final Path dir;
  int relayPort;
  URI relayUrl;
  private boolean fast;
  private ServiceProcess relay;
  private ServiceProcess host;
  private String hostKey;

  LocalStack(Path dir) {
    this.dir = dir;
  }

  static Path jar(String module) {
    String p = System.getProperty("parch.jar." + module);
    if (p == null) {
      throw new IllegalStateException("system property parch.jar." + module + " is not set (run through Maven)");
    }
    Path jar = Path.of(p);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: build the " + module + " module first");
    }
    return jar;
  }

  /**
   * Starts the relay: the first time on a port the kernel picks (read back from its log, so no
   * race with other processes for a "free" port), later on that same port (restart tests).
   */
  LocalStack startRelay() {
    relay = ServiceProcess.builder("relay")
        .jar(jar("relay"), List.of("-Xmx256m"), List.of(
            "--port", String.valueOf(relayPort),
            "--data-dir", dir.resolve("relay").toString(),
            "--argon2-memory-kib", "1024"))
        .logDir(dir.resolve("relay-logs-" + System.nanoTime()))
        .start();
    relay.awaitLine(LISTENING, Duration.ofSeconds(30));
    Matcher m = LISTENING.matcher(relay.output());
    if (!m.find()) {
      throw new IllegalStateException("relay did not log its port");
    }
    relayPort = Integer.parseInt(m.group(1));
    relayUrl = URI.create("http://127.0.0.1:" + relayPort);
    relay.awaitHttp(relayUrl.resolve("/healthz"), 200, Duration.ofSeconds(30));
    return this;
  }

  /**
   * Writes a first-run host.yaml that raises the per-user message rate, for tests that post
   * hundreds of messages (the default is 5/s with a burst of 20, which the client respects).
   */
  LocalStack fastHost(String name) {
    fast = true;
    return this;
  }

  LocalStack startHost(String name) {
    if (fast && !Files.exists(dir.resolve("host").resolve("host.yaml"))) {
      try {
        Files.createDirectories(dir.resolve("host"));
        Files.writeString(dir.resolve("host").resolve("host.yaml"), "relay: " + relayUrl + "\n"
            + "name: " + name + "\n" + "messageBurst: 1000\n" + "messagesPerSecond: 1000.0\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    host = ServiceProcess.builder("host")
        .jar(jar("host"), List.of("-Xmx256m"), List.of(
            "--data-dir", dir.resolve("host").toString(),
            "--relay", relayUrl.toString(),
            "--name", name))
        .logDir(dir.resolve("host-logs-" + System.nanoTime()))
        .start();
    host.awaitLine(HOST_KEY, Duration.ofSeconds(30));
    Matcher m = HOST_KEY.matcher(host.output());
    if (!m.find()) {
      throw new IllegalStateException("no Host Key in host output");
    }
    hostKey = m.group(1);
    return this;
  }

  void stopHost() {
    if (host != null) {
      host.stop(Duration.ofSeconds(10));
      host = null;
    }
  }

  void killHost() {
    if (host != null) {
      host.process().destroyForcibly();
      try {
        host.process().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      host.close();
      host = null;
    }
  }

  void stopRelay() {
    if (relay != null) {
      relay.stop(Duration.ofSeconds(10));
      relay = null;
    }
  }

  String hostKey() {
    return hostKey;
  }

  String relayLog() {
    return relay == null ? "" : relay.tail(60);
  }

  String hostLog() {
    return host == null ? "" : host.tail(60);
  }

  @Override
  public void close() {
    stopHost();
    stopRelay();
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
