package com.parchchat.relay;

import com.parchchat.relay.config.RelayConfig;
import com.parchchat.relay.config.RelayConfigLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real relay on 127.0.0.1, port 0, with its SQLite file in a test's temp dir. */
final class TestRelay implements AutoCloseable {
  final Relay relay;
  final Path dataDir;
  final Api api;

  private TestRelay(Relay relay, Path dataDir) {
    this.relay = relay;
    this.dataDir = dataDir;
    this.api = new Api("http://127.0.0.1:" + relay.port());
  }

  /** Starts a relay; {@code overrides} are dotted config keys (e.g. {@code limits.maxFrameBytes}). */
  static TestRelay start(Path dir, Map<String, ?> overrides) throws InterruptedException {
    Map<String, Object> o = new HashMap<>();
    o.put("port", 0);
    o.put("dataDir", dir.toString());
    o.put("publicUrl", "http://127.0.0.1:7800");
    // a quick Argon2id for routing tests; AccountApiTest runs the OWASP defaults
    o.put("accounts.argon2MemoryKib", 1024);
    o.put("accounts.argon2Iterations", 1);
    o.put("limits.registerPerIpPerHour", 1000);
    o.put("limits.loginPerIpPerMinute", 1000);
    o.put("limits.hostRegisterPerIpPerHour", 1000);
    o.putAll(overrides);
    RelayConfig config = RelayConfigLoader.load(null, o);
    return new TestRelay(Relay.start(config), dir);
  }

  static TestRelay start(Path dir) throws InterruptedException {
    return start(dir, Map.of());
  }

  int port() {
    return relay.port();
  }

  String wsUrl(String path) {
    return "ws://127.0.0.1:" + relay.port() + path;
  }

  /** Registers and logs in a user; returns the token. */
  String userToken(String username) {
    api.register(username, "secret-password-1");
    return api.login(username, "secret-password-1").get("token").asText();
  }

  WsClient client(String token) throws Exception {
    WsClient c = WsClient.connect(wsUrl("/ws/client"));
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    c.expect("welcome");
    return c;
  }

  @Override
  public void close() {
    relay.close();
  }
}
