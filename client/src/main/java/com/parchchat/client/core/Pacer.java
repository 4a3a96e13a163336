package com.parchchat.client.core;

/**
 * Token bucket that says how long to wait before the next frame: {@code rate} tokens per second,
 * at most {@code burst} saved up. Callers reserve in send order (the send chain is sequential), so
 * waiting never reorders frames.
 */
final class Pacer {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  Pacer(double ratePerSecond, double burst) {
    if (ratePerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("pacer needs rate > 0 and burst >= 1");
    }
    this.perNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  /** Takes one token; returns 0 if it was there, else the nanoseconds until it will be. */
  synchronized long reserve(long now) {
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
  }
}
