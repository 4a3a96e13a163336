package com.parchchat.host.relaylink;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: exponential growth capped at {@code maxMillis}, with "full jitter" (a
 * uniformly random delay between 0 and the current ceiling), so many hosts that lost the same
 * relay do not come back in lockstep. Not thread-safe; one per connection loop.
 */
public final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private int attempt;

  public Backoff(long minMillis, long maxMillis) {
    if (minMillis < 1 || maxMillis < minMillis) {
      throw new IllegalArgumentException("need 1 <= minMillis <= maxMillis");
    }
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
  }

  /** The delay before the next attempt; each call raises the ceiling until {@link #reset()}. */
  public long nextDelayMillis() {
    long ceiling = ceiling(attempt);
    if (attempt < 62) {
      attempt++;
    }
    return minMillis + ThreadLocalRandom.current().nextLong(ceiling - minMillis + 1);
  }

  /** The ceiling of the delay for attempt number {@code n} (0-based). */
  long ceiling(int n) {
    long c = minMillis;
    for (int i = 0; i < n && c < maxMillis; i++) {
      c *= 2;
    }
    return Math.min(c, maxMillis);
  }

  /** Called after a successful connection: the next failure starts small again. */
  public void reset() {
    attempt = 0;
  }
}
