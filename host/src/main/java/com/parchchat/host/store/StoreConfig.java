package com.parchchat.host.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the host database.
 *
 * @param file the SQLite database file
 * @param readers size of the read-only connection pool
 * @param maxBatch most writes committed together in one transaction (group commit)
 * @param synchronousFull {@code true}: SQLite {@code synchronous=FULL} (every commit is fsynced:
 *     an acknowledged message survives power loss); {@code false}: {@code NORMAL} (survives a
 *     process crash, not necessarily power loss)
 * @param walAutocheckpointPages WAL pages after which a commit checkpoints ({@code wal_autocheckpoint})
 * @param mmapBytes bytes of the file SQLite may memory-map ({@code mmap_size}; 0 = off)
 */
public record StoreConfig(Path file, int readers, int maxBatch, boolean synchronousFull, int walAutocheckpointPages,
    long mmapBytes) {
  /** Default checkpoint interval: 10,000 pages (40 MiB of WAL with 4 KiB pages). */
  public static final int DEFAULT_WAL_AUTOCHECKPOINT = 10_000;
  /** Default memory map: 256 MiB. */
  public static final long DEFAULT_MMAP_BYTES = 256L << 20;
  /**
   * Default {@code maxBatch}: 4096 gave 61,861 durable sends/s vs 55,000/s with 1024 on the quiet
   * machine (HostStoreBench, docs/performance.md); a batch only gets that big when that many writes wait.
   */
  public static final int DEFAULT_MAX_BATCH = 4096;

  public StoreConfig(Path file, int readers, int maxBatch, boolean synchronousFull) {
    this(file, readers, maxBatch, synchronousFull, DEFAULT_WAL_AUTOCHECKPOINT, DEFAULT_MMAP_BYTES);
  }

  public StoreConfig {
    if (walAutocheckpointPages < 1) {
      throw new IllegalArgumentException("store.walAutocheckpointPages must be >= 1, got " + walAutocheckpointPages);
    }
    if (mmapBytes < 0) {
      throw new IllegalArgumentException("store.mmapBytes must be >= 0, got " + mmapBytes);
    }
    Objects.requireNonNull(file, "store.file");
    if (readers < 1 || readers > 64) {
      throw new IllegalArgumentException("store.readers must be in 1..64, got " + readers);
    }
    if (maxBatch < 1 || maxBatch > 100_000) {
      throw new IllegalArgumentException("store.maxBatch must be in 1..100000, got " + maxBatch);
    }
  }

  public static StoreConfig defaults(Path file) {
    return new StoreConfig(file, 4, DEFAULT_MAX_BATCH, true);
  }
}
