package com.parchchat.host.message;

import com.parchchat.host.store.Db;
import com.parchchat.host.store.Store;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Feeds {@code messages_fts} behind the watermark in {@code search_index_state} (migration V3),
 * so that a durable send costs no full-text indexing. Runs as the {@link Store}'s background
 * step on the writer thread, in its own transaction between group commits: when the writer is
 * idle and at least {@code idleMinRows} messages wait (or any wait and it has been idle for
 * {@code idleFlushMillis}), and also while busy once {@code maxLagRows} wait, so the unindexed
 * tail a search must scan stays bounded even under a flood of sends. An idle step indexes at most
 * {@code batchRows} messages in one statement; a busy one brings the tail back to {@code maxLagRows / 2}.
 */
public final class SearchIndexer implements Store.Background {
  private final int batchRows;
  private final int idleMinRows;
  private final int maxLagRows;
  private final long idleFlushNanos;

  public SearchIndexer(int batchRows, int idleMinRows, int maxLagRows, long idleFlushMillis) {
    if (batchRows < 1 || idleMinRows < 1 || maxLagRows < 1 || idleFlushMillis < 0) {
      throw new IllegalArgumentException("search indexer limits must be positive");
    }
    this.batchRows = batchRows;
    this.idleMinRows = idleMinRows;
    this.maxLagRows = maxLagRows;
    this.idleFlushNanos = TimeUnit.MILLISECONDS.toNanos(idleFlushMillis);
  }

  /** 500 rows a step; idle: from 128 waiting or after 200 ms; busy: from 10,000 waiting. */
  public static SearchIndexer defaults() {
    return new SearchIndexer(500, 128, 10_000, 200);
  }

  /** Installs a default indexer on {@code store}. */
  public static SearchIndexer attach(Store store) {
    SearchIndexer indexer = defaults();
    store.background(indexer);
    return indexer;
  }

  @Override
  public void step(Db db, boolean idle, long idleNanos) throws SQLException {
    long indexed = watermark(db);
    long newest = db.queryLong(0, "SELECT max(id) FROM messages");
    long lag = newest - indexed;
    if (lag <= 0) {
      return;
    }
    if (lag >= maxLagRows) {
      // busy and behind: bring the tail back to half the limit in one step, so indexing keeps
      // pace with any insert rate (it then throttles writes instead of letting the tail grow)
      indexThrough(db, indexed, newest - maxLagRows / 2);
    } else if (idle && (lag >= idleMinRows || idleNanos >= idleFlushNanos)) {
      indexThrough(db, indexed, Math.min(newest, indexed + batchRows));
    }
  }

  /** Highest message id the full-text index holds (all ids at or below it, none above). */
  public static long watermark(Db db) throws SQLException {
    return db.queryLong(0, "SELECT indexed_through FROM search_index_state WHERE id = 1");
  }

  /** Indexes messages with {@code from < id <= to} and moves the watermark to {@code to}. */
  static void indexThrough(Db db, long from, long to) throws SQLException {
    db.update("INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages WHERE id > ? AND id <= ?",
        from, to);
    db.update("UPDATE search_index_state SET indexed_through = ? WHERE id = 1", to);
  }

  /** Indexes everything not yet indexed, in steps of {@code rows} (one write each); for tools and tests. */
  public static void catchUp(Store store, int rows) {
    while (true) {
      boolean more = store.write(db -> {
        long indexed = watermark(db);
        long newest = db.queryLong(0, "SELECT max(id) FROM messages");
        if (newest <= indexed) {
          return false;
        }
        indexThrough(db, indexed, Math.min(newest, indexed + rows));
        return true;
      }).join();
      if (!more) {
        return;
      }
    }
  }
}
