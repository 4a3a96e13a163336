package com.parchchat.turn.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * Everything the TURN server needs, validated once at start-up so a bad value fails fast
 * with the name of its key. Loaded by {@link TurnConfigLoader} from YAML and/or the
 * coturn-style command line. {@link #toString()} never shows secrets or passwords.
 *
 * @param listeningIp address the UDP and TCP listeners bind (coturn {@code listening-ip})
 * @param listeningPort STUN/TURN port for UDP and TCP, 0 = ephemeral (tests)
 * @param relayIp address relayed UDP sockets bind (coturn {@code relay-ip})
 * @param externalIp address advertised in XOR-RELAYED-ADDRESS when the server sits behind a
 *     1:1 NAT, or null to advertise {@code relayIp} (coturn {@code external-ip})
 * @param minPort lowest relayed port
 * @param maxPort highest relayed port
 * @param realm the long-term credential realm
 * @param useAuthSecret coturn's {@code use-auth-secret}: REST-style time-limited credentials
 * @param staticAuthSecret the shared secret for REST credentials
 * @param users static long-term users (name → password), coturn {@code user=name:pass}
 * @param allowLoopbackPeers allow peers in 127.0.0.0/8 and ::1 (tests only)
 * @param allowPrivatePeers allow peers in RFC 1918, CGNAT 100.64/10 and fc00::/7 ranges
 * @param userQuota max simultaneous allocations per user, 0 = unlimited
 * @param totalQuota max simultaneous allocations in total, 0 = unlimited
 * @param maxBps per-allocation bandwidth cap in bytes per second (each direction), 0 = none
 * @param udp run the UDP listener
 * @param tcp run the TCP listener
 * @param adminIp address of the metrics HTTP listener
 * @param adminPort metrics port, 0 = ephemeral, -1 = off
 * @param nonceLifetimeSeconds how long a NONCE stays valid before 438 (coturn {@code stale-nonce})
 * @param defaultLifetimeSeconds allocation lifetime when the client asks for less (RFC 8656: 600)
 * @param maxLifetimeSeconds upper bound of an allocation's lifetime (coturn {@code max-allocate-lifetime})
 * @param unauthRatePerSecond unauthenticated or failed-auth requests allowed per client IP per second
 * @param unauthBurst burst size of that per-IP limit
 * @param threads event-loop threads, 0 = number of cores
 * @param dataPath how relayed datagrams are read and written: {@code auto} (native when the JVM
 *     allows it), {@code netty} (Netty's channels only) or {@code native} (fail to start without it)
 */
public record TurnConfig(
    String listeningIp,
    int listeningPort,
    String relayIp,
    String externalIp,
    int minPort,
    int maxPort,
    String realm,
    boolean useAuthSecret,
    String staticAuthSecret,
    Map<String, String> users,
    boolean allowLoopbackPeers,
    boolean allowPrivatePeers,
    int userQuota,
    int totalQuota,
    long maxBps,
    boolean udp,
    boolean tcp,
    String adminIp,
    int adminPort,
    int nonceLifetimeSeconds,
    int defaultLifetimeSeconds,
    int maxLifetimeSeconds,
    int unauthRatePerSecond,
    int unauthBurst,
    int threads,
    DataPath dataPath) {

  /** The relay data path (see {@code DataPathSupport}). */
  public enum DataPath {
    AUTO, NETTY, NATIVE;

    /** Parses {@code auto|netty|native} (case-insensitive) or names the key in the error. */
    public static DataPath parse(String key, String v) {
      for (DataPath d : values()) {
        if (d.name().equalsIgnoreCase(v == null ? "" : v.trim())) {
          return d;
        }
      }
      throw new IllegalArgumentException(key + ": expected auto, netty or native, got '" + v + "'");
    }
  }

  public static final int DEFAULT_PORT = 3478;
  public static final int DEFAULT_ADMIN_PORT = 9641;

  public TurnConfig {
    ip("listening-ip", listeningIp);
    port("listening-port", listeningPort, true);
    if (relayIp == null || relayIp.isBlank()) {
      relayIp = listeningIp;
    }
    InetAddress relay = ip("relay-ip", relayIp);
    if (relay.isAnyLocalAddress() && externalIp == null) {
      throw new IllegalArgumentException(
          "relay-ip: a wildcard relay address cannot be advertised; set relay-ip or external-ip");
    }
    if (externalIp != null) {
      if (ip("external-ip", externalIp).isAnyLocalAddress()) {
        throw new IllegalArgumentException("external-ip: must be a concrete address");
      }
    }
    port("min-port", minPort, false);
    port("max-port", maxPort, false);
    if (minPort > maxPort) {
      throw new IllegalArgumentException("min-port: must not be above max-port (" + minPort + " > " + maxPort + ")");
    }
    if (realm == null || realm.isBlank() || realm.length() > 127) {
      throw new IllegalArgumentException("realm: required, at most 127 characters");
    }
    users = users == null ? Map.of() : Map.copyOf(users);
    if (useAuthSecret && (staticAuthSecret == null || staticAuthSecret.isEmpty())) {
      throw new IllegalArgumentException("static-auth-secret: required with use-auth-secret");
    }
    if (!useAuthSecret && users.isEmpty()) {
      throw new IllegalArgumentException(
          "use-auth-secret: no credential mechanism configured (set use-auth-secret + static-auth-secret, or users)");
    }
    nonNegative("user-quota", userQuota);
    nonNegative("total-quota", totalQuota);
    if (maxBps < 0) {
      throw new IllegalArgumentException("max-bps: must be >= 0");
    }
    if (!udp && !tcp) {
      throw new IllegalArgumentException("no-udp/no-tcp: at least one listener must run");
    }
    ip("admin-ip", adminIp);
    if (adminPort != -1) {
      port("admin-port", adminPort, true);
    }
    positive("nonce-lifetime-seconds", nonceLifetimeSeconds);
    positive("default-lifetime-seconds", defaultLifetimeSeconds);
    positive("max-lifetime-seconds", maxLifetimeSeconds);
    if (defaultLifetimeSeconds > maxLifetimeSeconds) {
      throw new IllegalArgumentException("default-lifetime-seconds: must not exceed max-lifetime-seconds");
    }
    positive("unauth-rate-per-second", unauthRatePerSecond);
    positive("unauth-burst", unauthBurst);
    nonNegative("threads", threads);
    if (dataPath == null) {
      dataPath = DataPath.AUTO;
    }
  }

  /** The address written into XOR-RELAYED-ADDRESS. */
  public String advertisedRelayIp() {
    return externalIp != null ? externalIp : relayIp;
  }

  private static InetAddress ip(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + ": required");
    }
    if (!value.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException(key + ": not an IP literal: " + value);
    }
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(key + ": not an IP literal: " + value, e);
    }
  }

  private static void port(String key, int p, boolean zeroOk) {
    if (p < (zeroOk ? 0 : 1) || p > 65535) {
      throw new IllegalArgumentException(key + ": not a port: " + p);
    }
  }

  private static void nonNegative(String key, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(key + ": must be >= 0");
    }
  }

  private static void positive(String key, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + ": must be > 0");
    }
  }

  @Override
  public String toString() {
    return "TurnConfig[listening=" + listeningIp + ":" + listeningPort + " relay=" + relayIp
        + (externalIp != null ? " external=" + externalIp : "") + " ports=" + minPort + "-" + maxPort
        + " realm=" + realm + " useAuthSecret=" + useAuthSecret + " staticAuthSecret=" + (staticAuthSecret == null ? "unset" : "***")
        + " users=" + users.size() + " allowLoopbackPeers=" + allowLoopbackPeers + " allowPrivatePeers=" + allowPrivatePeers
        + " userQuota=" + userQuota + " totalQuota=" + totalQuota + " maxBps=" + maxBps + " udp=" + udp + " tcp=" + tcp
        + " admin=" + adminIp + ":" + adminPort + " nonceLifetime=" + nonceLifetimeSeconds + "s lifetime="
        + defaultLifetimeSeconds + "/" + maxLifetimeSeconds + "s unauthRate=" + unauthRatePerSecond + "/s burst="
        + unauthBurst + " threads=" + threads + " dataPath=" + dataPath + "]";
  }

  /** Defaults for everything; callers override with {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Mutable staging area used by the loader and by tests. */
  public static final class Builder {
    public String listeningIp = "0.0.0.0";
    public int listeningPort = DEFAULT_PORT;
    public String relayIp;
    public String externalIp;
    public int minPort = 49152;
    public int maxPort = 65535;
    public String realm = "parch";
    public boolean useAuthSecret;
    public String staticAuthSecret;
    public Map<String, String> users = Map.of();
    public boolean allowLoopbackPeers;
    public boolean allowPrivatePeers;
    public int userQuota;
    public int totalQuota;
    public long maxBps;
    public boolean udp = true;
    public boolean tcp = true;
    public String adminIp = "127.0.0.1";
    public int adminPort = DEFAULT_ADMIN_PORT;
    public int nonceLifetimeSeconds = 600;
    public int defaultLifetimeSeconds = 600;
    public int maxLifetimeSeconds = 3600;
    public int unauthRatePerSecond = 20;
    public int unauthBurst = 50;
    public int threads;
    public DataPath dataPath = DataPath.AUTO;

    public TurnConfig build() {
      return new TurnConfig(listeningIp, listeningPort, relayIp, externalIp, minPort, maxPort, realm, useAuthSecret,
          staticAuthSecret, users, allowLoopbackPeers, allowPrivatePeers, userQuota, totalQuota, maxBps, udp, tcp,
          adminIp, adminPort, nonceLifetimeSeconds, defaultLifetimeSeconds, maxLifetimeSeconds, unauthRatePerSecond,
          unauthBurst, threads, dataPath);
    }
  }
}
