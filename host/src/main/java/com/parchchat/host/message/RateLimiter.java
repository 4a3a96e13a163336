package com.parchchat.host.message;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-user token bucket: {@code burst} messages at once, refilled at {@code perSecond}. Buckets of
 * users who have been quiet long enough to be full again are dropped when the map grows.
 */
public final class RateLimiter {
  private final double burst;
  private final double perNano;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    double tokensAt(long now, double perNano, double burst) {
      return Math.min(burst, tokens + (now - at) * perNano);
    }
  }

  public RateLimiter(int burst, double perSecond, LongSupplier nanoClock) {
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.nanoClock = nanoClock;
  }

  /** Takes one token for {@code key}; false when the bucket is empty. */
  public boolean tryAcquire(String key) {
    long now = nanoClock.getAsLong();
    boolean[] ok = new boolean[1];
    buckets.compute(key, (k, b) -> {
      if (b == null) {
        b = new Bucket(burst, now);
      }
      double tokens = b.tokensAt(now, perNano, burst);
      if (tokens >= 1) {
        tokens -= 1;
        ok[0] = true;
      }
      b.tokens = tokens;
      b.at = now;
      return b;
    });
    if (buckets.size() > 10_000) {
      buckets.entrySet().removeIf(e -> e.getValue().tokensAt(now, perNano, burst) >= burst);
    }
    return ok[0];
  }
}
