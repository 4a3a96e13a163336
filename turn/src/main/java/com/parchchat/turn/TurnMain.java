package com.parchchat.turn;

import com.parchchat.turn.config.TurnConfig;
import com.parchchat.turn.config.TurnConfigLoader;
import com.parchchat.turn.server.TurnServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line entry point of parch-turn.jar. Option names follow coturn's
 * {@code turnserver} so an operator can swap binaries; YAML from {@code --config} is read
 * first and flags given on the command line override it.
 */
@Command(
    name = "parch-turn",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "The Parch TURN server (RFC 8656 over RFC 8489; UDP and TCP) with coturn-compatible options.")
public final class TurnMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(TurnMain.class);

  @Option(names = "--config", paramLabel = "<yaml>", description = "YAML config file (keys = these option names).")
  Path configFile;

  @Option(names = {"-L", "--listening-ip"}, description = "Listener address (default 0.0.0.0).")
  String listeningIp;

  @Option(names = {"-p", "--listening-port"}, description = "UDP and TCP port (default 3478).")
  Integer listeningPort;

  @Option(names = {"-E", "--relay-ip"}, description = "Address relayed sockets bind (default: listening-ip).")
  String relayIp;

  @Option(names = {"-X", "--external-ip"}, description = "Address advertised for relays when behind 1:1 NAT.")
  String externalIp;

  @Option(names = "--min-port", description = "Lowest relayed port (default 49152).")
  Integer minPort;

  @Option(names = "--max-port", description = "Highest relayed port (default 65535).")
  Integer maxPort;

  @Option(names = {"-r", "--realm"}, description = "Realm of the long-term credentials (default parch).")
  String realm;

  @Option(names = "--use-auth-secret", description = "REST-style time-limited credentials (coturn TURN REST API).")
  Boolean useAuthSecret;

  @Option(names = "--static-auth-secret", description = "Shared secret for --use-auth-secret.")
  String staticAuthSecret;

  @Option(names = {"-u", "--user"}, paramLabel = "<name:password>", description = "Static long-term user (repeatable).")
  List<String> users;

  @Option(names = "--allow-loopback-peers", description = "Allow peers on 127.0.0.0/8 and ::1 (testing only).")
  Boolean allowLoopbackPeers;

  @Option(names = "--allow-private-peers", description = "Allow peers in RFC 1918/CGNAT/ULA ranges.")
  Boolean allowPrivatePeers;

  @Option(names = "--user-quota", description = "Max simultaneous allocations per user (0 = unlimited).")
  Integer userQuota;

  @Option(names = "--total-quota", description = "Max simultaneous allocations (0 = unlimited).")
  Integer totalQuota;

  @Option(names = "--max-bps", description = "Per-allocation bandwidth cap, bytes per second (0 = none).")
  Long maxBps;

  @Option(names = "--no-udp", description = "Do not listen on UDP.")
  Boolean noUdp;

  @Option(names = "--no-tcp", description = "Do not listen on TCP.")
  Boolean noTcp;

  @Option(names = "--stale-nonce", paramLabel = "<seconds>", description = "Nonce lifetime (default 600).")
  Integer staleNonce;

  @Option(names = "--max-allocate-lifetime", paramLabel = "<seconds>", description = "Max allocation lifetime (default 3600).")
  Integer maxAllocateLifetime;

  @Option(names = "--unauth-rate", description = "Unauthenticated requests per client IP per second (default 20).")
  Integer unauthRate;

  @Option(names = "--unauth-burst", description = "Burst of that per-IP limit (default 50).")
  Integer unauthBurst;

  @Option(names = "--relay-threads", description = "Event-loop threads (0 = number of cores).")
  Integer threads;

  @Option(names = "--data-path", paramLabel = "auto|netty|native",
      description = "Relay data path: native = zero-allocation datagram I/O through jdk.incubator.foreign "
          + "(needs the JVM flags --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED), "
          + "netty = Netty's channels only, auto (default) = native when those flags are present.")
  String dataPath;

  @Option(names = "--admin-ip", description = "Metrics listener address (default 127.0.0.1).")
  String adminIp;

  @Option(names = "--admin-port", description = "Metrics port for GET /metrics (default 9641; -1 = off).")
  Integer adminPort;

  @Option(names = {"-n", "--fingerprint", "--no-cli", "--no-tls", "--no-dtls", "--lt-cred-mech"}, hidden = true,
      description = "Accepted for coturn compatibility; no effect (FINGERPRINT is echoed when the client sends it).")
  boolean[] ignored;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TurnMain()).execute(args));
  }

  /** Merges YAML and flags into a validated config. */
  TurnConfig buildConfig() {
    TurnConfig.Builder b = TurnConfig.builder();
    if (configFile != null) {
      TurnConfigLoader.applyYaml(configFile, b);
    }
    if (listeningIp != null) {
      b.listeningIp = listeningIp;
    }
    if (listeningPort != null) {
      b.listeningPort = listeningPort;
    }
    if (relayIp != null) {
      b.relayIp = relayIp;
    }
    if (externalIp != null) {
      b.externalIp = externalIp;
    }
    if (minPort != null) {
      b.minPort = minPort;
    }
    if (maxPort != null) {
      b.maxPort = maxPort;
    }
    if (realm != null) {
      b.realm = realm;
    }
    if (useAuthSecret != null) {
      b.useAuthSecret = useAuthSecret;
    }
    if (staticAuthSecret != null) {
      b.staticAuthSecret = staticAuthSecret;
      b.useAuthSecret = b.useAuthSecret || useAuthSecret == null; // coturn: the secret implies the mechanism
    }
    if (users != null) {
      Map<String, String> m = new LinkedHashMap<>(b.users);
      for (String u : users) {
        int colon = u.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("user: expected name:password");
        }
        m.put(u.substring(0, colon), u.substring(colon + 1));
      }
      b.users = m;
    }
    if (allowLoopbackPeers != null) {
      b.allowLoopbackPeers = allowLoopbackPeers;
    }
    if (allowPrivatePeers != null) {
      b.allowPrivatePeers = allowPrivatePeers;
    }
    if (userQuota != null) {
      b.userQuota = userQuota;
    }
    if (totalQuota != null) {
      b.totalQuota = totalQuota;
    }
    if (maxBps != null) {
      b.maxBps = maxBps;
    }
    if (noUdp != null) {
      b.udp = !noUdp;
    }
    if (noTcp != null) {
      b.tcp = !noTcp;
    }
    if (staleNonce != null) {
      b.nonceLifetimeSeconds = staleNonce;
    }
    if (maxAllocateLifetime != null) {
      b.maxLifetimeSeconds = maxAllocateLifetime;
    }
    if (threads != null) {
      b.threads = threads;
    }
    if (dataPath != null) {
      b.dataPath = TurnConfig.DataPath.parse("data-path", dataPath);
    }
    if (unauthRate != null) {
      b.unauthRatePerSecond = unauthRate;
    }
    if (unauthBurst != null) {
      b.unauthBurst = unauthBurst;
    }
    if (adminIp != null) {
      b.adminIp = adminIp;
    }
    if (adminPort != null) {
      b.adminPort = adminPort;
    }
    return b.build();
  }

  @Override
  public Integer call() throws Exception {
    TurnConfig config;
    try {
      config = buildConfig();
    } catch (IllegalArgumentException e) {
      log.error("bad configuration: {}", e.getMessage());
      return 2;
    }
    log.info("starting with {}", config);
    TurnServer server = new TurnServer(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "turn-shutdown"));
    stopped.await();
    return 0;
  }
}
