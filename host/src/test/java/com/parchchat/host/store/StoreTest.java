package com.parchchat.host.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @TempDir Path dir;
  private Store store;

  @BeforeEach
  void open() {
    store = Store.open(StoreConfig.defaults(dir.resolve("data/host.db")));
    store.write(db -> db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('s', 'u1', 0)")).join();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private long countSpaces() {
    return store.read(db -> db.queryLong(-1, "SELECT count(*) FROM spaces"));
  }

  @Test
  void queuedWritesAreCommittedTogetherAndCompleteAfterCommit() throws Exception {
    CountDownLatch writerBusy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Object> blocker = store.write(db -> {
      writerBusy.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    });
    assertThat(writerBusy.await(10, TimeUnit.SECONDS)).isTrue();
    long commitsBefore = store.commits();

    List<CompletableFuture<Long>> futures = new ArrayList<>();
    List<CompletableFuture<Long>> visibleAtCompletion = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String name = "space" + i;
      CompletableFuture<Long> f = store.write(db ->
          db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES (?, 'u1', 0)", name));
      futures.add(f);
      // on completion, an independent connection must already see the row: ack after COMMIT
      visibleAtCompletion.add(f.thenApply(id -> countRowsOutside("SELECT count(*) FROM spaces WHERE id = " + id)));
    }
    release.countDown();
    blocker.join();
    for (CompletableFuture<Long> v : visibleAtCompletion) {
      assertThat(v.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }
    // the blocker's transaction plus one transaction for the 200 queued writes
    assertThat(store.commits() - commitsBefore).isEqualTo(2);
    assertThat(countSpaces()).isEqualTo(201);
  }

  @Test
  void aFailingRetryableWriteRollsBackAloneWhenTheBatchRunsAgainWithSavepoints() throws Exception {
    CountDownLatch writerBusy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Object> blocker = store.write(db -> {
      writerBusy.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    });
    assertThat(writerBusy.await(10, TimeUnit.SECONDS)).isTrue();
    List<Integer> runs = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int n = i;
      futures.add(store.writeRetryable(db -> {
        runs.add(n);
        long id = db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES (?, 'u1', 0)", "retry" + n);
        if (n == 25) {
          throw new IllegalStateException("refused");
        }
        return id;
      }));
    }
    long commitsBefore = store.commits();
    release.countDown();
    blocker.join();
    for (int i = 0; i < 50; i++) {
      if (i == 25) {
        assertThatThrownBy(futures.get(i)::join).hasCauseInstanceOf(IllegalStateException.class);
      } else {
        assertThat(futures.get(i).get(10, TimeUnit.SECONDS)).isPositive();
      }
    }
    // the first 26 ran twice (once without savepoints until #25 failed, once with), the rest once
    assertThat(runs).hasSize(50 + 26);
    // the blocker's transaction plus one for the whole batch
    assertThat(store.commits() - commitsBefore).isEqualTo(2);
    long kept = store.read(db -> db.queryLong(-1, "SELECT count(*) FROM spaces WHERE name LIKE 'retry%'"));
    long failed = store.read(db -> db.queryLong(-1, "SELECT count(*) FROM spaces WHERE name = 'retry25'"));
    assertThat(kept).isEqualTo(49);
    assertThat(failed).isZero();
  }

  @Test
  void aFailingWriteRollsBackAloneAndTheBatchStillCommits() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Object> blocker = store.write(db -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    });
    CompletableFuture<Long> ok1 = store.write(db ->
        db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('a', 'u1', 0)"));
    CompletableFuture<Long> bad = store.write(db -> {
      db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('half', 'u1', 0)");
      // violates the CHECK on name length: the whole write, including 'half', must roll back
      return db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('', 'u1', 0)");
    });
    CompletableFuture<Long> domainError = store.write(db -> {
      db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('also-half', 'u1', 0)");
      throw new IllegalStateException("refused by a rule");
    });
    CompletableFuture<Long> ok2 = store.write(db ->
        db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('b', 'u1', 0)"));
    release.countDown();
    blocker.join();
    assertThat(ok1.get(10, TimeUnit.SECONDS)).isPositive();
    assertThat(ok2.get(10, TimeUnit.SECONDS)).isPositive();
    assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreException.class);
    assertThatThrownBy(domainError::join).hasCauseInstanceOf(IllegalStateException.class);
    boolean halfWritten = store.read(db -> db.exists("SELECT 1 FROM spaces WHERE name IN ('half', 'also-half')"));
    assertThat(halfWritten).isFalse();
    assertThat(countSpaces()).isEqualTo(3);
  }

  @Test
  void manyConcurrentWritersAllLandOnce() throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<Long>> all = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 8; t++) {
      int tt = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 250; i++) {
          String name = "t" + tt + "-" + i;
          all.add(store.write(db -> db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES (?, 'u', 0)", name)));
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    assertThat(countSpaces()).isEqualTo(2001);
    assertThat(store.commits()).isLessThanOrEqualTo(store.committedWrites());
  }

  @Test
  void dataSurvivesReopenAndWalIsOn() {
    store.write(db -> db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('kept', 'u1', 0)")).join();
    store.close();
    store = Store.open(StoreConfig.defaults(dir.resolve("data/host.db")));
    boolean kept = store.read(db -> db.exists("SELECT 1 FROM spaces WHERE name = 'kept'"));
    assertThat(kept).isTrue();
    String mode = store.read(db -> {
      try (ResultSet rs = db.prepare("PRAGMA journal_mode").executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    });
    assertThat(mode).isEqualToIgnoringCase("wal");
  }

  @Test
  void readersCannotWrite() {
    assertThatThrownBy(() -> store.read(db -> db.update("DELETE FROM spaces"))).isInstanceOf(StoreException.class);
    assertThat(countSpaces()).isEqualTo(1);
  }

  @Test
  void onlineBackupIsAConsistentCopyWhileWritesContinue() throws Exception {
    List<CompletableFuture<Long>> during = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String name = "n" + i;
      during.add(store.write(db -> db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES (?, 'u', 0)", name)));
    }
    Path backup = dir.resolve("backup.db");
    store.backup(backup);
    CompletableFuture.allOf(during.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
    long inBackup = countRowsAt(backup, "SELECT count(*) FROM spaces");
    assertThat(inBackup).isBetween(1L, 501L);
    // the copy is a complete, migrated host database
    assertThat(countRowsAt(backup, "SELECT count(*) FROM flyway_schema_history WHERE success = 1")).isPositive();
    assertThat(countRowsAt(backup, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'")).isEqualTo(1);
    assertThatThrownBy(() -> store.backup(backup)).isInstanceOf(StoreException.class);
  }

  @Test
  void writesAfterCloseFailFast() {
    store.close();
    assertThatThrownBy(() -> store.write(db -> 1).join()).hasCauseInstanceOf(StoreException.class);
  }

  private long countRowsOutside(String sql) {
    return countRowsAt(dir.resolve("data/host.db"), sql);
  }

  private static long countRowsAt(Path file, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
