package com.parchchat.sfu.ice;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long a forwarded packet spends inside the SFU: from the moment its datagram is read to the
 * moment the batch it belongs to has been handed to the kernel (sendmmsg). Fixed 2 µs buckets up to
 * 20 ms plus an overflow bucket; written by the media thread, read by the admin API.
 */
public final class LatencyHistogram {
  private static final int BUCKET_NANOS = 2_000;
  private static final int BUCKETS = 10_000;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

  public void record(long nanos) {
    int b = (int) Math.min(BUCKETS, Math.max(0, nanos / BUCKET_NANOS));
    counts.incrementAndGet(b);
  }

  public void reset() {
    for (int i = 0; i <= BUCKETS; i++) {
      counts.set(i, 0);
    }
  }

  public long count() {
    long n = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** Upper bound in microseconds of the bucket holding quantile {@code q}; -1 when empty. */
  public double quantileMicros(double q) {
    long total = count();
    if (total == 0) {
      return -1;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return (i + 1) * (BUCKET_NANOS / 1000.0);
      }
    }
    return (BUCKETS + 1) * (BUCKET_NANOS / 1000.0);
  }
}
