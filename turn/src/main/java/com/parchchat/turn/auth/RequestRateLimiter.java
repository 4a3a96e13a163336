package com.parchchat.turn.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-source-IP token bucket for requests that are not (yet) authenticated: Binding,
 * requests without MESSAGE-INTEGRITY, and requests that fail authentication. Over the
 * limit the server stays silent, so a spoofed-source flood cannot use it as a reflector.
 * The table is bounded; idle entries are dropped by {@link #sweep}.
 */
public final class RequestRateLimiter {
  private static final int MAX_ENTRIES = 100_000;

  private final double ratePerMilli;
  private final double burst;
  private final Clock clock;
  private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  public RequestRateLimiter(int ratePerSecond, int burst, Clock clock) {
    this.ratePerMilli = ratePerSecond / 1000.0;
    this.burst = burst;
    this.clock = clock;
  }

  /** Takes one token for {@code ip}; false when the caller must drop the request. */
  public boolean tryAcquire(InetAddress ip) {
    long now = clock.millis();
    if (buckets.size() >= MAX_ENTRIES && !buckets.containsKey(ip)) {
      return false;
    }
    Bucket b = buckets.computeIfAbsent(ip, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerMilli);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  /** Forgets buckets that have been full for a while. */
  public void sweep() {
    long now = clock.millis();
    buckets.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return e.getValue().tokens + (now - e.getValue().last) * ratePerMilli >= burst;
      }
    });
  }
}
