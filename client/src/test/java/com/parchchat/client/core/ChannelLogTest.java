package com.parchchat.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every way a message can arrive leaves one line per message, in id order, and listeners can replay it. */
class ChannelLogTest {
  static final UserRef ANN = new UserRef("u1", "ann", "Ann");

  static Message msg(long id, String nonce) {
    return new Message(id, "c1", ANN, nonce, "m" + id, 1000 + id, null, null, List.of(), List.of());
  }

  /** Applies the log's changes to a plain list, as the UI does, to prove they are consistent. */
  static final class Mirror implements ChannelLog.Listener {
    final List<ChatLine> lines = new ArrayList<>();

    @Override
    public void changed(ChannelLog.Change c) {
      if (c instanceof ChannelLog.Inserted) {
        lines.addAll(((ChannelLog.Inserted) c).index(), ((ChannelLog.Inserted) c).lines());
      } else if (c instanceof ChannelLog.Replaced) {
        lines.set(((ChannelLog.Replaced) c).index(), ((ChannelLog.Replaced) c).line());
      } else if (c instanceof ChannelLog.Removed) {
        lines.remove(((ChannelLog.Removed) c).index());
      } else if (c instanceof ChannelLog.Reset) {
        lines.clear();
        lines.addAll(((ChannelLog.Reset) c).lines());
      }
    }
  }

  static Mirror mirror(ChannelLog log) {
    Mirror m = new Mirror();
    Subscription[] h = new Subscription[1];
    m.lines.addAll(log.listen(m, h));
    return m;
  }

  @Test
  void pagesEventsAndRepliesMergeWithoutDuplicates() {
    ChannelLog log = new ChannelLog("c1");
    Mirror mirror = mirror(log);
    log.reset(List.of(msg(10, "a"), msg(11, "b"), msg(12, "c")), true);
    log.upsert(msg(13, "d"));
    log.upsert(msg(13, "d")); // the same event twice
    log.mergePage(List.of(msg(7, "x"), msg(8, "y"), msg(9, "z")), true); // scroll-back page
    log.mergePage(List.of(msg(12, "c"), msg(13, "d"), msg(14, "e")), null); // resync overlaps
    assertThat(log.lines()).extracting(l -> l.message().id()).containsExactly(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
    assertThat(mirror.lines).isEqualTo(log.lines());
    assertThat(log.hasOlder()).isFalse();
  }

  @Test
  void keepNewestDropsTheOldestStoredLinesButNotPendingSends() {
    ChannelLog log = new ChannelLog("c1");
    Mirror mirror = mirror(log);
    log.reset(List.of(msg(10, "a"), msg(11, "b"), msg(12, "c"), msg(13, "d")), false);
    log.addPending(new ChatLine(msg(0, "p"), ChatLine.Delivery.SENDING, null));
    log.keepNewest(2);
    assertThat(log.lines()).extracting(l -> l.message().id()).containsExactly(12L, 13L, 0L);
    assertThat(mirror.lines).isEqualTo(log.lines());
    assertThat(log.hasOlder()).as("the dropped lines are older history now").isTrue();
    log.upsert(msg(14, "e"));
    log.upsert(msg(15, "p")); // the pending send, stored
    assertThat(log.lines()).extracting(l -> l.message().id()).containsExactly(12L, 13L, 14L, 15L);
    assertThat(mirror.lines).isEqualTo(log.lines());
    log.keepNewest(10); // nothing to drop
    assertThat(log.size()).isEqualTo(4);
  }

  @Test
  void pendingSendBecomesStoredInPlaceWhicheverArrivesFirst() {
    ChannelLog log = new ChannelLog("c1");
    Mirror mirror = mirror(log);
    log.reset(List.of(msg(1, "p")), false);
    log.addPending(new ChatLine(msg(0, "n1"), ChatLine.Delivery.SENDING, null));
    log.addPending(new ChatLine(msg(0, "n2"), ChatLine.Delivery.SENDING, null));
    assertThat(mirror.lines).hasSize(3);
    // the event for n2 comes before the reply for n1: n2 is stored before the still pending n1
    log.upsert(msg(5, "n2"));
    assertThat(log.lines()).extracting(ChatLine::key).containsExactly("m1", "m5", "nn1");
    log.upsert(msg(6, "n1"));
    log.upsert(msg(6, "n1")); // reply after event
    assertThat(log.lines()).extracting(ChatLine::key).containsExactly("m1", "m5", "m6");
    assertThat(log.lines()).noneMatch(ChatLine::pending);
    assertThat(mirror.lines).isEqualTo(log.lines());
  }

  @Test
  void editsReactionsAndDeletesReplaceOrRemoveTheRightLine() {
    ChannelLog log = new ChannelLog("c1");
    Mirror mirror = mirror(log);
    log.reset(List.of(msg(1, "a"), msg(2, "b"), msg(3, "c")), false);
    log.update(2, m -> new Message(m.id(), m.channelId(), m.author(), m.nonce(), "edited", m.createdAt(), 5L,
        null, List.of(), List.of()));
    log.remove(1);
    log.remove(99);
    assertThat(log.lines()).extracting(l -> l.message().content()).containsExactly("edited", "m3");
    assertThat(mirror.lines).isEqualTo(log.lines());
    assertThat(log.lastOwn("u1").id()).isEqualTo(3);
    assertThat(log.indexOfId(3)).isEqualTo(1);
  }

  @Test
  void failedSendCanBeMarkedAndDiscarded() {
    ChannelLog log = new ChannelLog("c1");
    Mirror mirror = mirror(log);
    log.addPending(new ChatLine(msg(0, "n"), ChatLine.Delivery.SENDING, null));
    log.setPending("n", new ChatLine(msg(0, "n"), ChatLine.Delivery.FAILED, "forbidden"));
    assertThat(mirror.lines.get(0).delivery()).isEqualTo(ChatLine.Delivery.FAILED);
    log.removePending("n");
    assertThat(log.lines()).isEmpty();
    assertThat(mirror.lines).isEmpty();
  }

  @Test
  void hundredThousandLinesStayOrderedAndCheapToAppend() {
    ChannelLog log = new ChannelLog("c1");
    List<Message> page = new ArrayList<>();
    for (long id = 100_000; id > 0; id -= 100) {
      page.clear();
      for (long i = id - 99; i <= id; i++) {
        page.add(msg(i, "n" + i));
      }
      log.mergePage(page, id - 100 <= 0);
    }
    assertThat(log.size()).isEqualTo(100_000);
    assertThat(log.oldestId()).isEqualTo(1);
    assertThat(log.newestId()).isEqualTo(100_000);
    assertThat(log.hasOlder()).isFalse();
  }

  @Test
  void aWindowInThePastIgnoresLiveMessagesUntilPagedForwardToTheNewest() {
    ChannelLog log = new ChannelLog("c1");
    Mirror mirror = mirror(log);
    log.reset(List.of(msg(900, null), msg(901, null)), true);
    // jump from search to message 500: a window around it, newer history beyond
    log.resetWindow(List.of(msg(499, null), msg(500, null), msg(501, null)), true, true);
    assertThat(log.hasNewer()).isTrue();
    assertThat(log.hasOlder()).isTrue();
    log.upsert(msg(950, null)); // live message far beyond the window: would leave a gap
    assertThat(ids(log)).containsExactly(499L, 500L, 501L);
    log.upsert(msg(500, null)); // an edit inside the window still applies
    log.mergeNewer(List.of(msg(503, null), msg(502, null)), true);
    assertThat(ids(log)).containsExactly(499L, 500L, 501L, 502L, 503L);
    assertThat(log.hasNewer()).isTrue();
    log.mergeNewer(List.of(msg(504, null), msg(950, null)), false);
    assertThat(log.hasNewer()).isFalse();
    log.upsert(msg(951, null)); // at the newest again: live messages join
    assertThat(ids(log)).containsExactly(499L, 500L, 501L, 502L, 503L, 504L, 950L, 951L);
    assertThat(mirror.lines).isEqualTo(log.lines());
  }

  @Test
  void resetToTheNewestLeavesTheWindowInThePast() {
    ChannelLog log = new ChannelLog("c1");
    log.resetWindow(List.of(msg(5, null)), false, true);
    log.reset(List.of(msg(9, null)), true);
    assertThat(log.hasNewer()).isFalse();
    log.upsert(msg(10, null));
    assertThat(ids(log)).containsExactly(9L, 10L);
  }

  private static List<Long> ids(ChannelLog log) {
    List<Long> out = new ArrayList<>();
    log.lines().forEach(l -> out.add(l.message().id()));
    return out;
  }
}
