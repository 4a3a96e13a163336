package com.parchchat.e2e.host;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real relay and a real host, each a {@code java -jar} process on loopback, with their data in
 * a test's temp dir. The host can be stopped, killed (SIGKILL) and started again on the same data.
 */
final class LocalStack implements AutoCloseable {
  private final Path dir;
  final int relayPort;
  final URI relayUrl;
  private JarProcess relay;
  private int relayRuns;
  private JarProcess host;
  private int hostRuns;
  String hostId;

  LocalStack(Path dir, String hostSettingsYaml) throws Exception {
    this.dir = dir;
    this.relayPort = JarProcess.freePort();
    this.relayUrl = URI.create("http://127.0.0.1:" + relayPort);
    // the test users send far faster than people do: lift the relay's per-connection frame rate
    Path relayConfig = dir.resolve("relay.yaml");
    Files.writeString(relayConfig, "limits:\n  messagesPerSecond: 100000\n  messageBurst: 100000\n"
        + "  floodDisconnectAfter: 1000000\n  requestTimeoutMillis: 10000\n", StandardCharsets.UTF_8);
    startRelay();
    Path hostDir = dir.resolve("host");
    Files.createDirectories(hostDir);
    Files.writeString(hostDir.resolve("host.yaml"),
        "relay: \"" + relayUrl + "\"\nname: \"E2E community\"\n" + hostSettingsYaml, StandardCharsets.UTF_8);
  }

  /** Starts the relay on its fixed port and data dir (state survives a restart). */
  void startRelay() throws Exception {
    relayRuns++;
    relay = JarProcess.start("relay", JarProcess.jar("parch.jar.relay"), dir.resolve("relay-" + relayRuns + ".log"),
        List.of("--config", dir.resolve("relay.yaml").toString(), "--port", Integer.toString(relayPort),
            "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024"));
    relay.awaitOutput("parch-relay ready on port (\\d+)", Duration.ofSeconds(90));
  }

  void stopRelay() throws InterruptedException {
    relay.close();
  }

  Path hostDataDir() {
    return dir.resolve("host");
  }

  /** Starts the host (registering at the first run) and waits until the relay accepted it. */
  void startHost() throws Exception {
    hostRuns++;
    host = JarProcess.start("host", JarProcess.jar("parch.jar.host"), dir.resolve("host-" + hostRuns + ".log"),
        List.of("--data-dir", hostDataDir().toString()));
    hostId = host.awaitOutput("Host Key: (\\S+)", Duration.ofSeconds(90));
    host.awaitOutput("(online at relay)", Duration.ofSeconds(60));
  }

  void stopHost() throws InterruptedException {
    host.close();
  }

  void killHost() throws InterruptedException {
    host.kill9();
  }

  JarProcess host() {
    return host;
  }

  String relayOutput() {
    return relay.output();
  }

  @Override
  public void close() throws Exception {
    try {
      if (host != null) {
        host.close();
      }
    } finally {
      relay.close();
    }
  }
}
