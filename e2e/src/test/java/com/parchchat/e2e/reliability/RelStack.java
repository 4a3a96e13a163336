package com.parchchat.e2e.reliability;

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
 * The real relay and host jars as processes on loopback, with a relay YAML config of the test's
 * choosing (raised registration limits for many users, short HTTP read timeout). The relay can be
 * killed and started again on the same port and database.
 */
final class RelStack implements AutoCloseable {
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final Pattern LISTENING = Pattern.compile("relay listening on http://[^:]+:(\\d+)");

  final Path dir;
  private final String relayYaml;
  private final String bindAddress;
  int relayPort;
  URI relayUrl;
  private ServiceProcess relay;
  private ServiceProcess host;
  private String hostKey;

  RelStack(Path dir, String relayYaml) {
    this(dir, relayYaml, "127.0.0.1");
  }

  /** A relay listening on {@code bindAddress} (e.g. the root end of a veth the test made). */
  RelStack(Path dir, String relayYaml, String bindAddress) {
    this.dir = dir;
    this.relayYaml = relayYaml;
    this.bindAddress = bindAddress;
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

  /** Starts the relay: first on a kernel-picked port (read from its log), later on that same port. */
  RelStack startRelay() {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("relay.yaml"), relayYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    relay = ServiceProcess.builder("relay")
        .jar(jar("relay"), List.of("-Xmx256m"), List.of(
            "--config", dir.resolve("relay.yaml").toString(),
            "--bind", bindAddress,
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
    relayUrl = URI.create("http://" + bindAddress + ":" + relayPort);
    relay.awaitHttp(relayUrl.resolve("/healthz"), 200, Duration.ofSeconds(30));
    return this;
  }

  /**
   * Starts the host with a raised per-user message rate (tests post many messages) and a relay
   * reconnect back-off capped at 1 s (the default cap, 30 s, lets a host that lost the relay
   * for 6 s wait up to ~10 s more after the relay is back).
   */
  RelStack startHost(String name) {
    try {
      Files.createDirectories(dir.resolve("host"));
      Files.writeString(dir.resolve("host").resolve("host.yaml"), "relay: " + relayUrl + "\n"
          + "name: " + name + "\n" + "messageBurst: 1000\n" + "messagesPerSecond: 1000.0\n"
          + "reconnectMinMillis: 250\n" + "reconnectMaxMillis: 1000\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /** Kills the relay process (SIGKILL): no graceful close frames reach anyone. */
  void killRelay() {
    if (relay != null) {
      relay.process().destroyForcibly();
      try {
        relay.process().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      relay.close();
      relay = null;
    }
  }

  String hostKey() {
    return hostKey;
  }

  long relayPid() {
    return relay.process().pid();
  }

  String logs() {
    return "relay:\n" + (relay == null ? "" : relay.tail(60)) + "\nhost:\n" + (host == null ? "" : host.tail(60));
  }

  @Override
  public void close() {
    if (host != null) {
      host.stop(Duration.ofSeconds(10));
      host = null;
    }
    if (relay != null) {
      relay.stop(Duration.ofSeconds(10));
      relay = null;
    }
  }
}
