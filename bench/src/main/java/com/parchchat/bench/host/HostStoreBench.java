package com.parchchat.bench.host;

import com.parchchat.host.message.MessageRepository;
import com.parchchat.host.space.SpaceRepository;
import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreConfig;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.signal.UserRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
 * Host store benchmarks on a real SQLite file (WAL, {@code synchronous=FULL}: every commit
 * fsynced):
 *
 * <ol>
 *   <li>durable message inserts per second through the {@link Store}'s group commit, many
 *       concurrent senders, against raw SQLite with one transaction per message (same run, ratio);
 *   <li>history page latency (50 messages before a random id) in a channel of N messages;
 *   <li>full-text search latency (newest 50 matches in one space) over the same N messages.
 * </ol>
 *
 * <p>Run: {@code java -cp bench/target/parch-bench.jar com.parchchat.bench.host.HostStoreBench
 * --messages 1000000 --dir /tmp/hostbench}
 */
@Command(name = "host-store", mixinStandardHelpOptions = true, description = "Host store benchmark.")
public final class HostStoreBench implements Callable<Integer> {
  @Option(names = "--dir", description = "working directory (a fresh database is created in it)")
  Path dir = Path.of(System.getProperty("java.io.tmpdir"), "parch-host-bench");

  @Option(names = "--messages", description = "messages in the history/search channel (default 1000000)")
  int messages = 1_000_000;

  @Option(names = "--durable", description = "messages for the group-commit insert run (default 100000)")
  int durable = 100_000;

  @Option(names = "--raw", description = "messages for the raw one-commit-per-message run (default 3000)")
  int raw = 3_000;

  @Option(names = "--inflight", description = "concurrent unacknowledged sends (default 2000)")
  int inflight = 2_000;

  @Option(names = "--queries", description = "history pages and searches to time (default 5000 / 1000)")
  int queries = 5_000;

  private static final UserRef USER = new UserRef("u_bench", "bench", "Bench");
  private static final String[] WORDS = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
    "xray", "yankee", "zulu", "meeting", "lunch", "deploy", "release", "coffee", "weekend", "music", "game"};

  public static void main(String[] args) {
    System.exit(new CommandLine(new HostStoreBench()).execute(args));
  }

  private static String content(Random r, long i) {
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

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    Path db = dir.resolve("bench-" + System.nanoTime() + ".db");
    try (Store store = Store.open(StoreConfig.defaults(db))) {
      long[] ids = store.write(d -> {
        SpaceRepository.upsertUser(d, USER, 0);
        long s = Long.parseLong(SpaceRepository.createSpace(d, "bench", USER.id(), 0).id());
        long c = Long.parseLong(SpaceRepository.createChannel(d, s, "general", ChannelKind.TEXT, 0).id());
        long c2 = Long.parseLong(SpaceRepository.createChannel(d, s, "durable", ChannelKind.TEXT, 0).id());
        return new long[] {s, c, c2};
      }).join();
      long space = ids[0];
      long channel = ids[1];
      long durableChannel = ids[2];

      // 1. group commit: every send is its own write (dedup check + insert), acked after COMMIT
      Random r = new Random(1);
      Semaphore window = new Semaphore(inflight);
      AtomicLong failed = new AtomicLong();
      long commitsBefore = store.commits();
      long t0 = System.nanoTime();
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < durable; i++) {
        String nonce = "d" + i;
        String text = content(r, i);
        window.acquire();
        CompletableFuture<?> f = store.write(d -> {
          if (MessageRepository.byNonce(d, USER.id(), nonce).isPresent()) {
            return null;
          }
          return MessageRepository.insert(d, space, durableChannel, USER, nonce, text, null, List.of(), 0);
        }).whenComplete((m, e) -> {
          window.release();
          if (e != null) {
            failed.incrementAndGet();
          }
        });
        all.add(f);
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
      double groupSeconds = (System.nanoTime() - t0) / 1e9;
      double groupRate = durable / groupSeconds;
      long commits = store.commits() - commitsBefore;
      System.out.printf("group commit: %d durable inserts in %.2f s = %.0f msg/s (%d commits, %.1f msgs/commit, %d failed)%n",
          durable, groupSeconds, groupRate, commits, (double) durable / commits, failed.get());

      // baseline: raw SQLite, same file settings, one transaction (and fsync) per message
      double rawRate = rawInserts(db, space, durableChannel);
      System.out.printf("raw sqlite, one commit per message: %.0f msg/s; group commit is %.1fx%n",
          rawRate, groupRate / rawRate);

      // 2 + 3. load N messages in large transactions, then time history pages and searches
      long loadStart = System.nanoTime();
      int batch = 20_000;
      Random lr = new Random(2);
      for (int from = 0; from < messages; from += batch) {
        int start = from;
        int end = Math.min(messages, from + batch);
        List<String> texts = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
          texts.add(content(lr, i));
        }
        store.write(d -> {
          for (int i = start; i < end; i++) {
            MessageRepository.insert(d, space, channel, USER, "h" + i, texts.get(i - start), null, List.of(), 0);
          }
          return null;
        }).join();
      }
      System.out.printf("loaded %d messages in %.1f s%n", messages, (System.nanoTime() - loadStart) / 1e9);
      long minId = store.read(d -> d.queryLong(0, "SELECT min(id) FROM messages WHERE channel_id = ?", channel));
      long maxId = store.read(d -> d.queryLong(0, "SELECT max(id) FROM messages WHERE channel_id = ?", channel));

      Histogram history = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      Random qr = new Random(3);
      for (int i = 0; i < queries + 500; i++) {
        long before = minId + 50 + (long) (qr.nextDouble() * (maxId - minId - 50));
        long s = System.nanoTime();
        MessageRepository.Page page = store.read(d -> MessageRepository.history(d, channel, before, null, 50, USER.id()));
        long took = System.nanoTime() - s;
        if (page.messages().size() != 50) {
          throw new IllegalStateException("short page");
        }
        if (i >= 500) {
          history.recordValue(took);
        }
      }
      report("history page (50 before a random id, " + messages + " msgs)", history);

      String[] searchTerms = {"rareword", "deploy coffee", "zulu", "meeting lunch release"};
      for (String term : searchTerms) {
        Histogram search = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        int n = Math.max(50, queries / 5);
        for (int i = 0; i < n + 20; i++) {
          long s = System.nanoTime();
          MessageRepository.Page page = store.read(d -> MessageRepository.search(d, space, term, null, 50, USER.id()));
          long took = System.nanoTime() - s;
          if (page.messages().isEmpty()) {
            throw new IllegalStateException("no hits for " + term);
          }
          if (i >= 20) {
            search.recordValue(took);
          }
        }
        report("search '" + term + "' (newest 50, " + messages + " msgs)", search);
      }
    } finally {
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Files.deleteIfExists(Path.of(db + suffix));
      }
    }
    return 0;
  }

  private double rawInserts(Path db, long space, long channel) throws SQLException {
    SQLiteConfig c = new SQLiteConfig();
    c.setJournalMode(SQLiteConfig.JournalMode.WAL);
    c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    c.setBusyTimeout(10_000);
    Random r = new Random(4);
    try (Connection conn = c.createConnection("jdbc:sqlite:" + db.toAbsolutePath());
        PreparedStatement ps = conn.prepareStatement("INSERT INTO messages(space_id, channel_id, author_id, nonce,"
            + " content, created_at) VALUES (?, ?, ?, ?, ?, 0)")) {
      long t0 = System.nanoTime();
      for (int i = 0; i < raw; i++) {
        ps.setLong(1, space);
        ps.setLong(2, channel);
        ps.setString(3, USER.id());
        ps.setString(4, "raw" + i);
        ps.setString(5, content(r, i));
        ps.executeUpdate();
      }
      return raw / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private static void report(String what, Histogram h) {
    System.out.printf("%s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (n=%d)%n", what,
        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
        h.getTotalCount());
  }
}
