package com.parchchat.bench.soak;

import com.parchchat.client.core.ChannelLog;
import com.parchchat.client.core.ChatLine;
import java.util.BitSet;
import java.util.List;

/**
 * What one soak client must prove, in a few hundred bytes however long the soak runs: which soak
 * messages (by the global sequence number in their text, {@code soak <poster> <seq> <sendNanos>}) it
 * holds, and how often a second stored copy (another id, same text) arrived. Fed from a
 * {@link ChannelLog} listener, so it counts what the user would see.
 */
final class SeqTally {
  /** Called once per message seen for the first time, with the send time from its text. */
  interface Timing {
    void firstSeen(long sendNanos);
  }

  private final BitSet seen = new BitSet();
  private int distinct;
  private long duplicates;

  /** The text of soak message {@code seq} sent by {@code poster} at {@code sendNanos}. */
  static String text(int poster, long seq, long sendNanos) {
    return "soak " + poster + " " + seq + " " + sendNanos;
  }

  /** A snapshot (the listen result, a reset): holding a message again is not a duplicate. */
  synchronized void lines(List<ChatLine> lines, Timing timing) {
    for (ChatLine l : lines) {
      line(l, false, timing);
    }
  }

  synchronized void changed(ChannelLog.Change change, Timing timing) {
    if (change instanceof ChannelLog.Inserted) {
      for (ChatLine l : ((ChannelLog.Inserted) change).lines()) {
        line(l, true, timing);
      }
    } else if (change instanceof ChannelLog.Replaced) {
      // our own send turning from pending to stored, or an edit: the same message again
      line(((ChannelLog.Replaced) change).line(), false, timing);
    } else if (change instanceof ChannelLog.Reset) {
      lines(((ChannelLog.Reset) change).lines(), timing);
    }
  }

  private void line(ChatLine l, boolean inserted, Timing timing) {
    if (l.pending()) {
      return;
    }
    String t = l.message().content();
    if (!t.startsWith("soak ")) {
      return;
    }
    int a = t.indexOf(' ', 5);
    int b = a < 0 ? -1 : t.indexOf(' ', a + 1);
    if (b < 0) {
      return;
    }
    int seq;
    long sent;
    try {
      seq = Integer.parseInt(t, a + 1, b, 10);
      sent = Long.parseLong(t, b + 1, t.length(), 10);
    } catch (NumberFormatException e) {
      return;
    }
    if (seen.get(seq)) {
      if (inserted) {
        duplicates++;
      }
      return;
    }
    seen.set(seq);
    distinct++;
    if (timing != null) {
      timing.firstSeen(sent);
    }
  }

  /** Sequence numbers among {@code 0..n-1} not seen. */
  synchronized int missing(int n) {
    return n - seen.get(0, n).cardinality();
  }

  synchronized int distinct() {
    return distinct;
  }

  synchronized long duplicates() {
    return duplicates;
  }
}
