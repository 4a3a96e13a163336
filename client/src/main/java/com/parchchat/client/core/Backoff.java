package com.parchchat.client.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect backoff with "equal jitter": the n-th delay is half of
 * {@code min(max, base * 2^n)} plus a random share of the other half, so a crowd of clients that
 * lost the relay at the same moment does not come back in lockstep, yet nobody waits longer than
 * {@code max}.
 */
public final class Backoff {
  private final long baseMillis;
  private final long maxMillis;
  private int attempt;

  public Backoff(Duration base, Duration max) {
    if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= max, got " + base + ", " + max);
    }
    this.baseMillis = base.toMillis();
    this.maxMillis = max.toMillis();
  }

  /** The delay before the next attempt; each call doubles the ceiling until {@code max}. */
  public synchronized Duration next() {
    long ceiling = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempt);
    attempt++;
    long half = ceiling / 2;
    long jitter = half == 0 ? 0 : ThreadLocalRandom.current().nextLong(half + 1);
    return Duration.ofMillis(ceiling - half + jitter);
  }

  /** Called after a connection succeeded: the next failure starts from {@code base} again. */
  public synchronized void reset() {
    attempt = 0;
  }

  public synchronized int attempts() {
    return attempt;
  }
}
