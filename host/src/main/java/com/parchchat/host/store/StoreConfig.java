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
 */
public record StoreConfig(Path file, int readers, int maxBatch, boolean synchronousFull) {
  public StoreConfig {
    Objects.requireNonNull(file, "store.file");
    if (readers < 1 || readers > 64) {
      throw new IllegalArgumentException("store.readers must be in 1..64, got " + readers);
    }
    if (maxBatch < 1 || maxBatch > 100_000) {
      throw new IllegalArgumentException("store.maxBatch must be in 1..100000, got " + maxBatch);
    }
  }

  public static StoreConfig defaults(Path file) {
    return new StoreConfig(file, 4, 1024, true);
  }
}
