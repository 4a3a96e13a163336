package com.parchchat.client.core;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything tunable in {@code client.core}, validated on construction.
 *
 * @param configDir       where hosts.json, session.json and settings.json live
 * @param defaultRelay    relay address offered on the login screen
 * @param requestTimeout  how long a host-API request may take before it fails as unavailable
 * @param idleTimeout     silence after which the relay link is considered dead (pings run at 1/3)
 * @param reconnectBase   first reconnect delay (grows ×2 with jitter)
 * @param reconnectMax    cap of the reconnect delay
 * @param historyPage     messages per history page (the host caps it at 100)
 * @param resendInterval  how often unacknowledged outbox messages are re-sent while online
 * @param maxFramesPerSecond frames per second sent to the relay at most (bursts of as many); the
 *                        relay rate-limits each connection (50/s by default) and drops the excess
 * @param maxInFlightSends unacknowledged sends per host at once; 1 keeps every channel in the
 *                        order the user typed even across retries (the host commits concurrent
 *                        requests in any order); tools that do not care raise it for throughput
 */
public record ClientConfig(
    Path configDir,
    URI defaultRelay,
    Duration requestTimeout,
    Duration idleTimeout,
    Duration reconnectBase,
    Duration reconnectMax,
    int historyPage,
    Duration resendInterval,
    int maxFramesPerSecond,
    int maxInFlightSends) {

  public static final URI DEFAULT_RELAY = URI.create("http://127.0.0.1:7800");

  public ClientConfig {
    Objects.requireNonNull(configDir, "configDir");
    Objects.requireNonNull(defaultRelay, "defaultRelay");
    positive(requestTimeout, "requestTimeout");
    positive(idleTimeout, "idleTimeout");
    positive(reconnectBase, "reconnectBase");
    positive(reconnectMax, "reconnectMax");
    positive(resendInterval, "resendInterval");
    if (reconnectMax.compareTo(reconnectBase) < 0) {
      throw new IllegalArgumentException("reconnectMax must be >= reconnectBase");
    }
    if (maxInFlightSends < 1) {
      throw new IllegalArgumentException("maxInFlightSends must be positive, was " + maxInFlightSends);
    }
    if (maxFramesPerSecond < 1) {
      throw new IllegalArgumentException("maxFramesPerSecond must be positive, was " + maxFramesPerSecond);
    }
    if (historyPage < 1 || historyPage > 100) {
      throw new IllegalArgumentException("historyPage must be within 1..100, was " + historyPage);
    }
  }

  /** Defaults: 10 s requests, 45 s idle, reconnect 0.5 s … 30 s, pages of 50, 40 frames/s, 1 send in flight. */
  public static ClientConfig defaults(Path configDir) {
    return new ClientConfig(configDir, DEFAULT_RELAY, Duration.ofSeconds(10), Duration.ofSeconds(45),
        Duration.ofMillis(500), Duration.ofSeconds(30), 50, Duration.ofSeconds(5), 40, 1);
  }

  public ClientConfig withDefaultRelay(URI relay) {
    return new ClientConfig(configDir, relay, requestTimeout, idleTimeout, reconnectBase,
        reconnectMax, historyPage, resendInterval, maxFramesPerSecond, maxInFlightSends);
  }

  public ClientConfig withReconnect(Duration base, Duration max) {
    return new ClientConfig(configDir, defaultRelay, requestTimeout, idleTimeout, base, max,
        historyPage, resendInterval, maxFramesPerSecond, maxInFlightSends);
  }

  /** For tools that talk to a relay configured with a higher per-connection rate (benchmarks). */
  public ClientConfig withMaxFramesPerSecond(int rate) {
    return new ClientConfig(configDir, defaultRelay, requestTimeout, idleTimeout, reconnectBase,
        reconnectMax, historyPage, resendInterval, rate, maxInFlightSends);
  }

  /** For tools that send in bulk and do not need the typed order (benchmarks). */
  public ClientConfig withMaxInFlightSends(int n) {
    return new ClientConfig(configDir, defaultRelay, requestTimeout, idleTimeout, reconnectBase,
        reconnectMax, historyPage, resendInterval, maxFramesPerSecond, n);
  }

  public ClientConfig withHistoryPage(int page) {
    return new ClientConfig(configDir, defaultRelay, requestTimeout, idleTimeout, reconnectBase,
        reconnectMax, page, resendInterval, maxFramesPerSecond, maxInFlightSends);
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration");
    }
  }
}
