package com.parchchat.host.store;

import com.parchchat.migrations.DatabaseOps;
import com.parchchat.migrations.DatabaseOpsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The host database: one SQLite file in WAL mode, migrated by Flyway at open.
 *
 * <p>All writes go through {@link #write}: a single writer thread takes every write waiting in
 * its queue (up to {@code maxBatch}), runs each in its own savepoint inside one transaction and
 * commits once (group commit). A write's future completes only after that COMMIT returned, so a
 * caller that acknowledges on completion never acknowledges something a crash could lose. A
 * write that throws is rolled back to its savepoint alone; the others in the batch still commit.
 * Futures complete on one completion thread, in commit order, so the writer never waits on
 * callers' code.
 *
 * <p>Reads go through {@link #read} on a small pool of read-only connections; in WAL mode they
 * never block the writer and see the last committed state.
 */
public final class Store implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Store.class);

  private final StoreConfig config;
  private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<Db> readers;
  private final List<Db> allReaders = new ArrayList<>();
  private final Db writer;
  private final Thread writerThread;
  private final ExecutorService completions;
  private volatile boolean closed;
  private volatile Background background;
  private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong committedWrites = new java.util.concurrent.atomic.AtomicLong();

  private Store(StoreConfig config) throws SQLException {
    this.config = config;
    this.writer = new Db(openConnection(false));
    this.readers = new ArrayBlockingQueue<>(config.readers());
    for (int i = 0; i < config.readers(); i++) {
      Db r = new Db(openConnection(true));
      allReaders.add(r);
      readers.add(r);
    }
    this.completions = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "store-completion");
      t.setDaemon(true);
      return t;
    });
    this.writerThread = new Thread(this::writeLoop, "store-writer");
    this.writerThread.setDaemon(true);
    this.writerThread.start();
  }

  /**
   * Work the writer thread does between group commits, in its own transaction (e.g. feeding
   * the full-text index behind a watermark). It must be short: writes wait while it runs.
   */
  public interface Background {
    /**
     * Runs one bounded step on the writer connection; the store commits it afterwards.
     *
     * @param idle {@code true} when no write is waiting
     * @param idleNanos how long the writer has had nothing to do ({@code 0} when busy)
     */
    void step(Db db, boolean idle, long idleNanos) throws SQLException;
  }

  /** Installs the writer's {@link Background} step (one at a time; {@code null} removes it). */
  public void background(Background task) {
    this.background = task;
  }

  /** Migrates (Flyway, {@code classpath:db/host}) and opens the database, creating the file if needed. */
  public static Store open(StoreConfig config) {
    try {
      Path parent = config.file().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      migrate(config.file());
      return new Store(config);
    } catch (SQLException | java.io.IOException e) {
      throw new StoreException("cannot open database " + config.file(), e);
    }
  }

  /** Applies pending host migrations to {@code file}, after an automatic backup if it has data. */
  public static void migrate(Path file) {
    try {
      new DatabaseOps(file, DatabaseOps.HOST).migrate();
    } catch (DatabaseOpsException e) {
      throw new StoreException(e.getMessage(), e);
    }
  }

  static String url(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath();
  }

  private Connection openConnection(boolean readOnly) throws SQLException {
    SQLiteConfig c = new SQLiteConfig();
    c.setJournalMode(SQLiteConfig.JournalMode.WAL);
    c.setSynchronous(config.synchronousFull() ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
    c.enforceForeignKeys(true);
    c.setBusyTimeout(10_000);
    if (readOnly) {
      c.setReadOnly(true);
    }
    c.setTempStore(SQLiteConfig.TempStore.MEMORY);
    // nobody calls getGeneratedKeys(); without this the driver parses every INSERT's SQL for it
    c.setGetGeneratedKeys(false);
    // a negative cache_size is KiB: 32 MiB of page cache per connection
    c.setCacheSize(-32 * 1024);
    if (!readOnly) {
      // checkpoint less often than the default 1,000 pages: each one copies pages back and fsyncs
      c.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(config.walAutocheckpointPages()));
    }
    Connection conn = c.createConnection(url(config.file()));
    if (config.mmapBytes() > 0) {
      try (java.sql.Statement st = conn.createStatement()) {
        st.execute("PRAGMA mmap_size = " + config.mmapBytes());
      }
    }
    if (!readOnly) {
      conn.setAutoCommit(false);
    }
    return conn;
  }

  /**
   * Queues {@code work} for the writer. The future completes with its result after the
   * transaction containing it committed, or exceptionally with what {@code work} threw (its
   * changes rolled back), or with a {@link StoreException} when the commit itself failed.
   */
  public <T> CompletableFuture<T> write(SqlWork<T> work) {
    return write(work, false);
  }

  /**
   * Like {@link #write(SqlWork)}, for work that only touches the database and may therefore run
   * twice: a batch made only of such writes runs without a savepoint per write (two statements
   * fewer each); if one of them fails, the whole transaction is rolled back and the batch runs
   * again with savepoints, so the outcome is the same as with {@link #write(SqlWork)}.
   */
  public <T> CompletableFuture<T> writeRetryable(SqlWork<T> work) {
    return write(work, true);
  }

  private <T> CompletableFuture<T> write(SqlWork<T> work, boolean retryable) {
    Pending<T> p = new Pending<>(work, retryable);
    if (closed) {
      p.future.completeExceptionally(new StoreException("store is closed", null));
      return p.future;
    }
    queue.add(p);
    return p.future;
  }

  /** Runs {@code work} on a pooled read-only connection on the caller's thread. */
  public <T> T read(SqlWork<T> work) {
    Db db;
    try {
      db = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted waiting for a reader", e);
    }
    try {
      return work.run(db);
    } catch (SQLException e) {
      throw new StoreException("read failed: " + e.getMessage(), e);
    } finally {
      readers.add(db);
    }
  }

  /**
   * Writes a consistent copy of the live database to {@code target} ({@code VACUUM INTO}),
   * while reads and writes go on. The target must not exist.
   */
  public void backup(Path target) {
    read(db -> {
      backup(db.connection(), target);
      return null;
    });
  }

  /** {@code VACUUM INTO target} on any connection to a host database (also from another process). */
  public static void backup(Connection connection, Path target) throws SQLException {
    if (Files.exists(target)) {
      throw new SQLException("backup target already exists: " + target);
    }
    try (PreparedStatement ps = connection.prepareStatement("VACUUM INTO ?")) {
      ps.setString(1, target.toAbsolutePath().toString());
      ps.execute();
    }
  }

  private void writeLoop() {
    List<Pending<?>> batch = new ArrayList<>();
    long idleSince = System.nanoTime();
    while (true) {
      try {
        Pending<?> first = queue.poll(20, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          runBackground(true, System.nanoTime() - idleSince);
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, config.maxBatch() - 1);
        runBatch(batch);
        boolean idle = queue.isEmpty();
        runBackground(idle, 0);
        idleSince = System.nanoTime();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        log.error("writer loop failed; failing {} queued writes", batch.size(), e);
        for (Pending<?> p : batch) {
          p.future.completeExceptionally(new StoreException("writer failed", e));
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void runBatch(List<Pending<?>> batch) {
    Object[] results = new Object[batch.size()];
    Throwable[] failures = new Throwable[batch.size()];
    try {
      boolean single = batch.size() == 1;
      if (!single && allRetryable(batch) && runWithoutSavepoints(batch, results)) {
        writer.connection().commit();
        commits.incrementAndGet();
        committedWrites.addAndGet(batch.size());
        List<Pending<?>> copy = new ArrayList<>(batch);
        completions.execute(() -> {
          for (int i = 0; i < copy.size(); i++) {
            complete(copy.get(i), results[i], null);
          }
        });
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        Pending<?> p = batch.get(i);
        if (!single) {
          writer.prepare("SAVEPOINT w").execute();
        }
        try {
          results[i] = p.work.run(writer);
          if (!single) {
            writer.prepare("RELEASE w").execute();
          }
        } catch (SQLException | RuntimeException e) {
          failures[i] = e;
          if (single) {
            writer.connection().rollback();
          } else {
            writer.prepare("ROLLBACK TO w").execute();
            writer.prepare("RELEASE w").execute();
          }
        }
      }
      writer.connection().commit();
      commits.incrementAndGet();
      committedWrites.addAndGet(batch.size());
    } catch (SQLException e) {
      log.error("group commit of {} writes failed", batch.size(), e);
      try {
        writer.connection().rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      StoreException failure = new StoreException("commit failed: " + e.getMessage(), e);
      List<Pending<?>> copy = new ArrayList<>(batch);
      completions.execute(() -> copy.forEach(p -> p.future.completeExceptionally(failure)));
      return;
    }
    List<Pending<?>> copy = new ArrayList<>(batch);
    completions.execute(() -> {
      for (int i = 0; i < copy.size(); i++) {
        complete(copy.get(i), results[i], failures[i]);
      }
    });
  }

  private static boolean allRetryable(List<Pending<?>> batch) {
    for (Pending<?> p : batch) {
      if (!p.retryable) {
        return false;
      }
    }
    return true;
  }

  /** Runs every write with no savepoint; on the first failure rolls everything back and returns false. */
  private boolean runWithoutSavepoints(List<Pending<?>> batch, Object[] results) throws SQLException {
    try {
      for (int i = 0; i < batch.size(); i++) {
        results[i] = batch.get(i).work.run(writer);
      }
      return true;
    } catch (SQLException | RuntimeException e) {
      writer.connection().rollback();
      java.util.Arrays.fill(results, null);
      return false;
    }
  }

  private void runBackground(boolean idle, long idleNanos) {
    Background task = background;
    if (task == null) {
      return;
    }
    try {
      task.step(writer, idle, idleNanos);
      writer.connection().commit();
    } catch (SQLException | RuntimeException e) {
      log.warn("background step failed; it is retried later", e);
      try {
        writer.connection().rollback();
      } catch (SQLException rollbackFailure) {
        log.warn("rollback after a failed background step failed", rollbackFailure);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Pending<T> p, Object result, Throwable failure) {
    if (failure == null) {
      p.future.complete((T) result);
    } else if (failure instanceof SQLException) {
      p.future.completeExceptionally(new StoreException(failure.getMessage(), failure));
    } else {
      p.future.completeExceptionally(failure);
    }
  }

  /** Number of transactions committed so far (each holds one or more writes). */
  public long commits() {
    return commits.get();
  }

  /** Number of writes that went through a committed transaction (including rolled-back ones). */
  public long committedWrites() {
    return committedWrites.get();
  }

  /** Stops accepting writes, commits what is queued, and closes every connection. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writerThread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Pending<?>> late = new ArrayList<>();
    queue.drainTo(late);
    for (Pending<?> p : late) {
      p.future.completeExceptionally(new StoreException("store is closed", null));
    }
    completions.shutdown();
    try {
      completions.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(writer);
    for (Db r : allReaders) {
      closeQuietly(r);
    }
  }

  private static void closeQuietly(Db db) {
    try {
      db.close();
    } catch (SQLException e) {
      log.warn("closing a database connection failed", e);
    }
  }

  private static final class Pending<T> {
    final SqlWork<T> work;
    final boolean retryable;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Pending(SqlWork<T> work, boolean retryable) {
      this.work = work;
      this.retryable = retryable;
    }
  }
}
