package com.parchchat.turn.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the YAML config file. Keys are the coturn option names (kebab-case), so an operator
 * can move a {@code turnserver.conf} line {@code min-port=49160} to {@code min-port: 49160}.
 * An unknown key or a value of the wrong type fails with the key's name.
 */
public final class TurnConfigLoader {
  private TurnConfigLoader() {}

  public static void applyYaml(Path file, TurnConfig.Builder b) {
    Map<?, ?> root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Map.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("config " + file + ": " + e.getMessage(), e);
    }
    if (root == null) {
      return;
    }
    for (Map.Entry<?, ?> e : root.entrySet()) {
      apply(String.valueOf(e.getKey()), e.getValue(), b);
    }
  }

  static void apply(String key, Object v, TurnConfig.Builder b) {
    switch (key) {
      case "listening-ip":
        b.listeningIp = str(key, v);
        break;
      case "listening-port":
        b.listeningPort = integer(key, v);
        break;
      case "relay-ip":
        b.relayIp = str(key, v);
        break;
      case "external-ip":
        b.externalIp = str(key, v);
        break;
      case "min-port":
        b.minPort = integer(key, v);
        break;
      case "max-port":
        b.maxPort = integer(key, v);
        break;
      case "realm":
        b.realm = str(key, v);
        break;
      case "use-auth-secret":
        b.useAuthSecret = bool(key, v);
        break;
      case "static-auth-secret":
        b.staticAuthSecret = str(key, v);
        break;
      case "users":
        b.users = users(key, v);
        break;
      case "allow-loopback-peers":
        b.allowLoopbackPeers = bool(key, v);
        break;
      case "allow-private-peers":
        b.allowPrivatePeers = bool(key, v);
        break;
      case "user-quota":
        b.userQuota = integer(key, v);
        break;
      case "total-quota":
        b.totalQuota = integer(key, v);
        break;
      case "max-bps":
        b.maxBps = integer(key, v);
        break;
      case "no-udp":
        b.udp = !bool(key, v);
        break;
      case "no-tcp":
        b.tcp = !bool(key, v);
        break;
      case "admin-ip":
        b.adminIp = str(key, v);
        break;
      case "admin-port":
        b.adminPort = integer(key, v);
        break;
      case "stale-nonce":
        b.nonceLifetimeSeconds = integer(key, v);
        break;
      case "default-lifetime":
        b.defaultLifetimeSeconds = integer(key, v);
        break;
      case "max-allocate-lifetime":
        b.maxLifetimeSeconds = integer(key, v);
        break;
      case "unauth-rate":
        b.unauthRatePerSecond = integer(key, v);
        break;
      case "unauth-burst":
        b.unauthBurst = integer(key, v);
        break;
      case "threads":
        b.threads = integer(key, v);
        break;
      case "data-path":
        b.dataPath = TurnConfig.DataPath.parse(key, str(key, v));
        break;
      default:
        throw new IllegalArgumentException("config: unknown key '" + key + "'");
    }
  }

  private static String str(String key, Object v) {
    if (v == null || v instanceof Map || v instanceof Iterable) {
      throw new IllegalArgumentException(key + ": expected a string");
    }
    return String.valueOf(v);
  }

  private static int integer(String key, Object v) {
    if (v instanceof Number n && n.longValue() == n.intValue()) {
      return n.intValue();
    }
    if (v instanceof String s && s.matches("-?\\d{1,10}")) {
      return Integer.parseInt(s);
    }
    throw new IllegalArgumentException(key + ": expected an integer");
  }

  private static boolean bool(String key, Object v) {
    if (v instanceof Boolean x) {
      return x;
    }
    throw new IllegalArgumentException(key + ": expected true or false");
  }

  private static Map<String, String> users(String key, Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(key + ": expected a map of name: password");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), str(key + "." + e.getKey(), e.getValue()));
    }
    return out;
  }
}
