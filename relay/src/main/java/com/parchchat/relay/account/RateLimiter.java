package com.parchchat.relay.account;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets keyed by a string (client IP, account name): {@code capacity} tokens refilled
 * evenly over {@code periodMillis}. Idle full buckets are dropped by {@link #sweep()}, so memory
 * stays bounded by the number of recently active keys.
 */
public final class RateLimiter {
  private final double capacity;
  private final double refillPerMilli;
  private final LongSupplier clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }

  public RateLimiter(int capacity, long periodMillis, LongSupplier clock) {
    this.capacity = capacity;
    this.refillPerMilli = capacity / (double) periodMillis;
    this.clock = clock;
  }

  /** Takes one token for {@code key}; false if the bucket is empty. */
  public boolean tryAcquire(String key) {
    long now = clock.getAsLong();
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    synchronized (b) {
      refill(b, now);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  /** True if {@code key} has at least one token, without taking it. */
  public boolean allows(String key) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return true;
    }
    synchronized (b) {
      refill(b, clock.getAsLong());
      return b.tokens >= 1;
    }
  }

  /** Refills a key completely (e.g. after a successful login). */
  public void reset(String key) {
    buckets.remove(key);
  }

  /** Drops buckets that have refilled completely. */
  public void sweep() {
    long now = clock.getAsLong();
    Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
    while (it.hasNext()) {
      Bucket b = it.next().getValue();
      synchronized (b) {
        refill(b, now);
        if (b.tokens >= capacity) {
          it.remove();
        }
      }
    }
  }

  private void refill(Bucket b, long now) {
    if (now > b.updated) {
      b.tokens = Math.min(capacity, b.tokens + (now - b.updated) * refillPerMilli);
      b.updated = now;
    }
  }
}
