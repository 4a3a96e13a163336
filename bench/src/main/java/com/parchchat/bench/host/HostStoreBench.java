package com.parchchat.bench.host;

import com.parchchat.host.auth.Access;
import com.parchchat.host.message.MessageRepository;
import com.parchchat.host.message.SearchIndexer;
import com.parchchat.host.space.SpaceRepository;
import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreConfig;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.signal.UserRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.sqlite.SQLiteConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Host store benchmarks on real SQLite files (WAL, {@code synchronous=FULL}: every commit fsynced).
 *
 * <ol>
 *   <li>durable sends per second through the {@link Store}'s group commit: each send is its own
 *       write doing what {@code MessageService.send} does in SQL (membership check, insert-or-ignore
 *       on the nonce index), acknowledged when its future completes after COMMIT, with the
 *       background {@link SearchIndexer} attached as in the host; several store settings; against
 *       raw SQLite in the same run (one INSERT per transaction; and the same INSERTs 1,000 per
 *       transaction, SQLite's own ceiling for this row);
 *   <li>history page latency (50 messages before a random id) in a channel of 1M and of 10M messages;
 *   <li>full-text search latency (newest 50 matches in one space) over 1M messages.
 * </ol>
 *
 * <p>The 1M and 10M data sets are generated once (bulk inserts in big transactions, secondary
 * indexes and the FTS5 index built afterwards) into {@code --data} and reused by later runs.
 *
 * <p>Run: {@code java -cp bench/target-host/parch-bench.jar com.parchchat.bench.host.HostStoreBench}
 */
@Command(name = "host-store", mixinStandardHelpOptions = true, description = "Host store benchmark.")
public final class HostStoreBench implements Callable<Integer> {
  @Option(names = "--dir", description = "scratch directory for the insert runs (fresh files, deleted after)")
  Path dir = Path.of(System.getProperty("java.io.tmpdir"), "parch-host-bench");

  @Option(names = "--data", description = "cache directory of the generated data sets (default /var/tmp/parch-bench)")
  Path data = Path.of("/var/tmp/parch-bench");

  @Option(names = "--sizes", split = ",", description = "history data set sizes (default 1000000,10000000)")
  List<Integer> sizes = List.of(1_000_000, 10_000_000);

  @Option(names = "--search-size", description = "data set searched (default 1000000; must be in --sizes)")
  int searchSize = 1_000_000;

  @Option(names = "--durable", description = "messages per group-commit insert run (default 200000)")
  int durable = 200_000;

  @Option(names = "--warmup", description = "durable sends of an unreported JIT warm-up run first (default 100000; 0: none)")
  int warmupSends = 100_000;

  @Option(names = "--raw", description = "messages for the raw one-commit-per-message run (default 2000)")
  int raw = 2_000;

  @Option(names = "--inflight", description = "concurrent unacknowledged sends (default 4000)")
  int inflight = 4_000;

  @Option(names = "--queries", description = "history pages timed per data set (default 5000)")
  int queries = 5_000;

  @Option(names = "--searches", description = "searches timed per term (default 500)")
  int searches = 500;

  @Option(names = "--generate-only", description = "only generate the cached data sets, then exit")
  boolean generateOnly;

  @Option(names = "--no-variants", description = "skip the insert runs with other store settings")
  boolean noVariants;

  private static final UserRef USER = new UserRef("u_bench", "bench", "Bench");
  private static final String[] WORDS = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
    "xray", "yankee", "zulu", "meeting", "lunch", "deploy", "release", "coffee", "weekend", "music", "game"};
  private static final String[] SEARCH_TERMS = {"rareword", "deploy coffee", "zulu", "meeting lunch release"};

  private final List<String[]> summary = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new HostStoreBench()).execute(args));
  }

  static String content(Random r, long i) {
    StringBuilder sb = new StringBuilder();
    int n = 6 + r.nextInt(10);
    for (int k = 0; k < n; k++) {
      sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
    }
    if (i % 1000 == 0) {
      sb.append("rareword").append(' ');
    }
    return sb.append(i).toString();
  }

  private void row(String what, String result, String target) {
    summary.add(new String[] {what, result, target});
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    Files.createDirectories(data);
    System.out.printf("host store bench: %d cores, load average %.2f at start%n",
        Runtime.getRuntime().availableProcessors(), loadAverage());

    if (generateOnly) {
      for (int size : sizes) {
        dataSet(data, size, size == searchSize);
      }
      return 0;
    }
    // 1. durable inserts; first an unreported run with the same settings, so that the JIT has
    // compiled the send path (a host that runs for hours pays that once) and every variant
    // below is measured in the same warm state
    StoreConfig defaults = StoreConfig.defaults(Path.of("x"));
    if (warmupSends > 0) {
      int measuredSends = durable;
      durable = warmupSends;
      durableRun("JIT warm-up, not reported", defaults, true, false);
      durable = measuredSends;
    }
    InsertResult main = durableRun("default store settings (maxBatch " + defaults.maxBatch()
        + ", wal_autocheckpoint 10000, mmap 256 MiB)", defaults, true, true);
    row("durable sends/s, group commit (send SQL + indexer attached)",
        String.format("%,.0f/s (%.0f per commit)", main.rate, main.perCommit), ">= 50,000/s");
    row("  raw SQLite, one INSERT per transaction (fsync each)", String.format("%,.0f/s -> group commit %.0fx",
        main.rawSingle, main.rate / main.rawSingle), "");
    row("  raw SQLite, same INSERT 1,000 per transaction", String.format("%,.0f/s -> group commit at %.0f%%",
        main.rawBatch, 100 * main.rate / main.rawBatch), "");
    row("  raw SQLite, 1,000 per transaction, SAVEPOINT per row", String.format("%,.0f/s", main.rawSavepoint), "");
    row("  search right after the run (unindexed tail " + main.tail + " rows)",
        String.format("p50 %.2f ms", main.tailSearchMs), "");
    if (!noVariants) {
      InsertResult noIndexer = durableRun("without the background indexer", defaults, false, false);
      row("  variant: no background indexer", String.format("%,.0f/s", noIndexer.rate), "");
      InsertResult small = durableRun("maxBatch 256", new StoreConfig(Path.of("x"), 4, 256, true), true, false);
      row("  variant: maxBatch 256", String.format("%,.0f/s (%.0f per commit)", small.rate, small.perCommit), "");
      InsertResult mid = durableRun("maxBatch 1024", new StoreConfig(Path.of("x"), 4, 1024, true), true, false);
      row("  variant: maxBatch 1024 (default before)", String.format("%,.0f/s (%.0f per commit)", mid.rate,
          mid.perCommit), "");
      InsertResult ckpt = durableRun("wal_autocheckpoint 1000 (SQLite default), no mmap",
          new StoreConfig(Path.of("x"), 4, defaults.maxBatch(), true, 1000, 0), true, false);
      row("  variant: wal_autocheckpoint 1000, mmap off", String.format("%,.0f/s", ckpt.rate), "");
    }

    // 2. + 3. history and search on the cached data sets
    for (int size : sizes) {
      Path file = dataSet(data, size, size == searchSize);
      try (Store store = Store.open(StoreConfig.defaults(file))) {
        long channel = 1;
        long minId = store.read(d -> d.queryLong(0, "SELECT min(id) FROM messages WHERE channel_id = ?", channel));
        long maxId = store.read(d -> d.queryLong(0, "SELECT max(id) FROM messages WHERE channel_id = ?", channel));
        // first pass on the page cache as found (a fresh boot or a long idle makes it cold: random
        // ids over the whole file), then the file read once sequentially so the OS caches it
        // (what a host that serves history keeps in memory) and the same pass again
        Histogram asFound = historyPass(store, channel, minId, maxId, 3);
        report("history page (50 before a random id, " + size + " msgs), page cache as found", asFound);
        row(String.format("history page, channel of %,d, page cache as found", size), pct(asFound), "");
        long w0 = System.nanoTime();
        long bytes = readWholeFile(file);
        System.out.printf("  read %,d MB of %s in %.1f s to warm the OS page cache%n", bytes >> 20, file.getFileName(),
            (System.nanoTime() - w0) / 1e9);
        Histogram history = historyPass(store, channel, minId, maxId, 5);
        report("history page (50 before a random id, " + size + " msgs), warm page cache", history);
        row(String.format("history page, channel of %,d, warm page cache", size), pct(history), "p99 <= 1 ms");
        if (size == searchSize) {
          for (String term : SEARCH_TERMS) {
            Histogram search = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (int i = 0; i < searches + 20; i++) {
              long s = System.nanoTime();
              MessageRepository.Page page = store.read(d -> MessageRepository.search(d, 1, term, null, 50, USER.id()));
              long took = System.nanoTime() - s;
              if (page.messages().isEmpty()) {
                throw new IllegalStateException("no hits for " + term);
              }
              if (i >= 20) {
                search.recordValue(took);
              }
            }
            report("search '" + term + "' (newest 50, " + size + " msgs)", search);
            row(String.format("search '%s', %,d", term, size), pct(search), "<= 50 ms");
          }
        }
      }
    }

    System.out.printf("%n=== host store summary (load average %.2f at end) ===%n", loadAverage());
    for (String[] r : summary) {
      System.out.printf("%-62s %-40s %s%n", r[0], r[1], r[2]);
    }
    return 0;
  }

  /** {@code queries} history pages before random ids (after 1,000 untimed), seeded. */
  private Histogram historyPass(Store store, long channel, long minId, long maxId, long seed) {
    Histogram history = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    Random qr = new Random(seed);
    int warmup = 1000;
    for (int i = 0; i < queries + warmup; i++) {
      long before = minId + 50 + (long) (qr.nextDouble() * (maxId - minId - 50));
      long s = System.nanoTime();
      MessageRepository.Page page = store.read(d -> MessageRepository.history(d, channel, before, null, 50,
          USER.id()));
      long took = System.nanoTime() - s;
      if (page.messages().size() != 50) {
        throw new IllegalStateException("short page");
      }
      if (i >= warmup) {
        history.recordValue(took);
      }
    }
    return history;
  }

  /** Reads {@code file} sequentially (into the OS page cache); returns the bytes read. */
  private static long readWholeFile(Path file) throws java.io.IOException {
    long total = 0;
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 20);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      int n;
      while ((n = ch.read(buf)) >= 0) {
        total += n;
        buf.clear();
      }
    }
    return total;
  }

  private static String pct(Histogram h) {
    return String.format("p50 %.3f ms, p99 %.3f ms, max %.1f ms", h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception e) {
      return -1;
    }
  }

  private record InsertResult(double rate, double perCommit, double rawSingle, double rawBatch, double rawSavepoint,
      long tail, double tailSearchMs) {}

  private InsertResult durableRun(String label, StoreConfig settings, boolean indexer, boolean references)
      throws Exception {
    Path db = dir.resolve("durable-" + System.nanoTime() + ".db");
    StoreConfig config = new StoreConfig(db, settings.readers(), settings.maxBatch(), true,
        settings.walAutocheckpointPages(), settings.mmapBytes());
    try {
      double rate;
      double perCommit;
      long tail = 0;
      double tailSearch = 0;
      long space;
      long channel;
      try (Store store = Store.open(config)) {
        if (indexer) {
          SearchIndexer.attach(store);
        }
        long[] ids = store.write(d -> {
          SpaceRepository.upsertUser(d, USER, 0);
          long s = Long.parseLong(SpaceRepository.createSpace(d, "bench", USER.id(), 0).id());
          long c = Long.parseLong(SpaceRepository.createChannel(d, s, "durable", ChannelKind.TEXT, 0).id());
          return new long[] {s, c};
        }).join();
        space = ids[0];
        channel = ids[1];
        Random r = new Random(1);
        String[] texts = new String[durable];
        for (int i = 0; i < durable; i++) {
          texts[i] = content(r, i);
        }
        Semaphore window = new Semaphore(inflight);
        AtomicLong failed = new AtomicLong();
        long commitsBefore = store.commits();
        long t0 = System.nanoTime();
        CompletableFuture<?> last = null;
        for (int i = 0; i < durable; i++) {
          String nonce = "d" + i;
          String text = texts[i];
          window.acquire();
          last = store.writeRetryable(d -> {
            Access.requireChannel(d, channel, USER.id());
            return MessageRepository.insertIfNew(d, space, channel, USER, nonce, text, null, List.of(),
                System.currentTimeMillis());
          }).whenComplete((m, e) -> {
            window.release();
            if (e != null) {
              failed.incrementAndGet();
            }
          });
        }
        window.acquire(inflight);
        last.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        rate = durable / seconds;
        long commits = store.commits() - commitsBefore;
        perCommit = (double) durable / commits;
        if (failed.get() > 0) {
          throw new IllegalStateException(failed.get() + " sends failed");
        }
        System.out.printf("[%s] %,d durable sends in %.2f s = %,.0f msg/s (%d commits, %.0f per commit)%n",
            label, durable, seconds, rate, commits, perCommit);
        if (indexer) {
          tail = store.read(d -> d.queryLong(0, "SELECT max(id) FROM messages") - SearchIndexer.watermark(d));
          long s = System.nanoTime();
          int n = 20;
          for (int i = 0; i < n; i++) {
            store.read(d -> MessageRepository.search(d, space, "rareword", null, 50, USER.id()));
          }
          tailSearch = (System.nanoTime() - s) / 1e6 / n;
          long c0 = System.nanoTime();
          long target = store.read(d -> d.queryLong(0, "SELECT max(id) FROM messages"));
          while (store.read(SearchIndexer::watermark) < target) {
            Thread.sleep(10);
          }
          System.out.printf("  unindexed tail at the end: %,d rows (search over it %.2f ms); indexer caught up in"
              + " %.2f s%n", tail, tailSearch, (System.nanoTime() - c0) / 1e9);
        }
      }
      if (!references) {
        return new InsertResult(rate, perCommit, 0, 0, 0, tail, tailSearch);
      }
      double single = rawInserts(db, space, channel, raw, 1, false);
      double batch = rawInserts(db, space, channel, durable, 1000, false);
      double savepoint = rawInserts(db, space, channel, durable, 1000, true);
      System.out.printf("  raw SQLite, same file: one commit per message %,.0f/s; 1,000 per commit %,.0f/s;"
          + " 1,000 per commit with a savepoint per row %,.0f/s%n", single, batch, savepoint);
      return new InsertResult(rate, perCommit, single, batch, savepoint, tail, tailSearch);
    } finally {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(Path.of(db + suffix));
      }
    }
  }

  private static Connection rawConnection(Path db, SQLiteConfig.SynchronousMode sync) throws SQLException {
    SQLiteConfig c = new SQLiteConfig();
    c.setJournalMode(SQLiteConfig.JournalMode.WAL);
    c.setSynchronous(sync);
    c.setBusyTimeout(10_000);
    return c.createConnection("jdbc:sqlite:" + db.toAbsolutePath());
  }

  /** Raw JDBC inserts of the same row, {@code perCommit} per transaction, {@code synchronous=FULL}. */
  private static double rawInserts(Path db, long space, long channel, int count, int perCommit, boolean savepoints)
      throws SQLException {
    Random r = new Random(4);
    String[] texts = new String[count];
    for (int i = 0; i < count; i++) {
      texts[i] = content(r, i);
    }
    String tag = "raw" + perCommit + (savepoints ? "s" : "") + "-";
    try (Connection conn = rawConnection(db, SQLiteConfig.SynchronousMode.FULL);
        PreparedStatement ps = conn.prepareStatement("INSERT INTO messages(space_id, channel_id, author_id, nonce,"
            + " content, created_at) VALUES (?, ?, ?, ?, ?, 0)");
        Statement st = conn.createStatement()) {
      conn.setAutoCommit(perCommit == 1);
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        if (savepoints) {
          st.execute("SAVEPOINT w");
        }
        ps.setLong(1, space);
        ps.setLong(2, channel);
        ps.setString(3, USER.id());
        ps.setString(4, tag + i);
        ps.setString(5, texts[i]);
        ps.executeUpdate();
        if (savepoints) {
          st.execute("RELEASE w");
        }
        if (perCommit > 1 && (i + 1) % perCommit == 0) {
          conn.commit();
        }
      }
      if (perCommit > 1) {
        conn.commit();
      }
      return count / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /**
   * The cached data set of {@code size} messages, all in channel 1 of space 1, generated once:
   * the schema by the host's migrations, rows by bulk INSERTs in 100,000-row transactions
   * (synchronous=OFF: a crash only costs a regeneration), the secondary indexes and (when
   * {@code fts}) the full-text index built afterwards, the search watermark set to match;
   * without {@code fts} the watermark stays 0 (a valid state: an indexer would catch up).
   */
  static Path dataSet(Path dataDir, int size, boolean fts) throws Exception {
    String name = "host-" + (size % 1_000_000 == 0 ? (size / 1_000_000) + "m" : Integer.toString(size))
        + (fts ? "-fts" : "") + "-v3.db";
    Path file = dataDir.resolve(name);
    if (Files.exists(file)) {
      System.out.printf("data set %s: cached%n", file);
      return file;
    }
    Files.createDirectories(dataDir);
    Path tmp = dataDir.resolve(name + ".partial");
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(Path.of(tmp + suffix));
    }
    long t0 = System.nanoTime();
    Store.migrate(tmp);
    try (Connection conn = rawConnection(tmp, SQLiteConfig.SynchronousMode.OFF); Statement st = conn.createStatement()) {
      st.execute("PRAGMA cache_size = -262144");
      conn.setAutoCommit(false);
      st.execute("INSERT INTO users(id, username, display_name, updated_at) VALUES ('u_bench', 'bench', 'Bench', 0)");
      st.execute("INSERT INTO spaces(id, name, owner_id, created_at) VALUES (1, 'bench', 'u_bench', 0)");
      st.execute("INSERT INTO members(space_id, user_id, role, joined_at) VALUES (1, 'u_bench', 'owner', 0)");
      st.execute("INSERT INTO channels(id, space_id, name, kind, position, created_at)"
          + " VALUES (1, 1, 'general', 'text', 0, 0)");
      st.execute("DROP INDEX messages_by_channel");
      st.execute("DROP INDEX messages_by_space");
      st.execute("DROP INDEX messages_by_reply_to");
      conn.commit();
      Random lr = new Random(2);
      long now = System.currentTimeMillis() - size;
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO messages(space_id, channel_id, author_id, nonce,"
          + " content, created_at) VALUES (1, 1, 'u_bench', ?, ?, ?)")) {
        for (int i = 0; i < size; i++) {
          ps.setString(1, String.format("h%010d", i));
          ps.setString(2, content(lr, i));
          ps.setLong(3, now + i);
          ps.executeUpdate();
          if ((i + 1) % 100_000 == 0) {
            conn.commit();
            if ((i + 1) % 1_000_000 == 0) {
              System.out.printf("  generating %s: %,d rows, %.0f s%n", name, i + 1, (System.nanoTime() - t0) / 1e9);
            }
          }
        }
      }
      conn.commit();
      st.execute("CREATE INDEX messages_by_channel ON messages(channel_id, id)");
      st.execute("CREATE INDEX messages_by_space ON messages(space_id)");
      st.execute("CREATE INDEX messages_by_reply_to ON messages(reply_to)");
      conn.commit();
      System.out.printf("  generating %s: indexes built, %.0f s%n", name, (System.nanoTime() - t0) / 1e9);
      if (fts) {
        st.execute("INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages");
        st.execute("UPDATE search_index_state SET indexed_through = (SELECT max(id) FROM messages)");
        conn.commit();
        st.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')");
        conn.commit();
        System.out.printf("  generating %s: full-text index built, %.0f s%n", name, (System.nanoTime() - t0) / 1e9);
      }
      conn.setAutoCommit(true);
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      st.execute("ANALYZE");
    }
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Files.deleteIfExists(Path.of(tmp + suffix));
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    System.out.printf("data set %s generated in %.0f s%n", file, (System.nanoTime() - t0) / 1e9);
    return file;
  }

  private static void report(String what, Histogram h) {
    System.out.printf("%s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (n=%d)%n", what,
        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
        h.getTotalCount());
  }
}
