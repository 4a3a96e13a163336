package com.parchchat.turn.allocation;

/**
 * Token bucket in bytes per second for one allocation and direction (coturn {@code max-bps}).
 * The bucket holds one second of traffic. Used only from the allocation's event loop.
 */
public final class BandwidthLimiter {
  private final long bytesPerSecond;
  private double tokens;
  private long lastMillis;

  public BandwidthLimiter(long bytesPerSecond, long nowMillis) {
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = bytesPerSecond;
    this.lastMillis = nowMillis;
  }

  /** True if {@code bytes} may pass now; unlimited when configured with 0. */
  public boolean tryConsume(int bytes, long nowMillis) {
    if (bytesPerSecond <= 0) {
      return true;
    }
    long elapsed = nowMillis - lastMillis;
    if (elapsed > 0) {
      tokens = Math.min(bytesPerSecond, tokens + elapsed * bytesPerSecond / 1000.0);
      lastMillis = nowMillis;
    }
    if (tokens >= bytes) {
      tokens -= bytes;
      return true;
    }
    return false;
  }
}
