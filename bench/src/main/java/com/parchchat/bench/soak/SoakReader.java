package com.parchchat.bench.soak;

import com.parchchat.client.core.ChannelLog;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.Subscription;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.process.ChildMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The soak's latency reader in its own JVM: one {@code client.core} client (a second device of a
 * read-only soak user, started with the desktop client's JVM options like the voice participants),
 * with the soak's text channel open. It takes {@code System.nanoTime()} first thing when a stored
 * message reaches its channel log and subtracts the send time the poster wrote into the text
 * ({@code soak <poster> <seq> <nanoTime>}); on Linux {@code nanoTime} is {@code CLOCK_MONOTONIC}, one
 * clock for every process on the machine. Being its own process, its latency does not include the
 * bench JVM's garbage collections or the 500 in-bench clients' work on the same message (it still
 * shares the machine's cores with them, as any user's client would).
 *
 * <p>It also keeps a bitset of the sequence numbers it has seen, so a message stored twice (two ids,
 * same text) counts as a duplicate and a sequence number never seen as missing.
 *
 * <p>Protocol on stdin/stdout, one line each: after {@code READY <userId>}, the line {@code W} answers
 * {@code WIN <count> <p50 µs> <p99 µs> <max µs> <distinct> <duplicates> <histogram>} for the messages
 * since the previous {@code W} (the histogram HdrHistogram-compressed, base64, for the bench to merge); {@code C <n>} answers {@code CHECK <missing among 0..n-1> <duplicates> <distinct>}.
 * It exits when stdin closes.
 *
 * <p>{@code <relay> <hostKey> <username> <password> <configDir>}
 */
public final class SoakReader {
  private SoakReader() {
  }

  public static void main(String[] args) {
    ChildMain.exitAfter("FAILED", 1, () -> run(args));
  }

  private static void run(String[] a) throws Exception {
    URI relay = URI.create(a[0]);
    String hostKey = a[1];
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    Recorder latency = new Recorder(3);
    SeqTally tally = new SeqTally();
    try (ParchClient client = new ParchClient(ClientConfig.defaults(Path.of(a[4])).withDefaultRelay(relay))) {
      String userId = client.login(relay, a[2], a[3], false).get(2, TimeUnit.MINUTES).id();
      HostSession host = client.addHost(hostKey);
      until(() -> host.phase().get() == HostSession.Phase.READY, deadline, "host session ready");
      until(() -> !host.spaces().get().isEmpty() && host.spaces().get().get(0).channels().get().stream()
          .anyMatch(c -> c.kind() == ChannelKind.TEXT), deadline, "text channel visible");
      String ch = host.spaces().get().get(0).channels().get().stream().filter(c -> c.kind() == ChannelKind.TEXT)
          .findFirst().orElseThrow().id();
      ChannelLog log = host.openChannel(ch).get(2, TimeUnit.MINUTES);
      Subscription[] handle = new Subscription[1];
      // messages from before the soak (none in practice) are tallied but not timed
      tally.lines(log.listen(change -> {
        long arrived = System.nanoTime();
        tally.changed(change, sendNanos -> latency.recordValue(Math.max(0, (arrived - sendNanos) / 1_000)));
      }, handle), null);
      System.out.println("READY " + userId);
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      Histogram window = null;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("W")) {
          window = latency.getIntervalHistogram(window);
          ByteBuffer buf = ByteBuffer.allocate(window.getNeededByteBufferCapacity());
          int n = window.encodeIntoCompressedByteBuffer(buf);
          System.out.printf(Locale.ROOT, "WIN %d %d %d %d %d %d %s%n", window.getTotalCount(),
              window.getValueAtPercentile(50), window.getValueAtPercentile(99), window.getMaxValue(),
              tally.distinct(), tally.duplicates(),
              Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n)));
        } else if (line.startsWith("C ")) {
          int n = Integer.parseInt(line.substring(2).trim());
          System.out.printf(Locale.ROOT, "CHECK %d %d %d%n", tally.missing(n), tally.duplicates(), tally.distinct());
        }
        System.out.flush();
      }
      handle[0].close();
    }
  }

  private static void until(BooleanSupplier c, long deadline, String what) throws InterruptedException {
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
