package com.parchchat.client.core;

import com.parchchat.protocol.api.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The loaded window of one channel's history plus our pending sends, kept in id order with no
 * duplicates however messages arrive (history page, live event, reply to our send, resync after a
 * reconnect). Listeners get incremental {@link Change}s, so a view of 100,000 loaded messages never
 * copies the whole list per new message.
 *
 * <p>Invariant: {@link #lines()} = stored messages ascending by id, then pending sends in the order
 * they were sent. A pending line is replaced in place by its stored message once the host stored
 * it (matched by nonce), whichever of the reply or the event comes first.
 *
 * <p>Normally the window ends at the channel's newest message. A jump to an older message (from
 * search) replaces it with a window around that message; then {@link #hasNewer()} is true, live
 * messages newer than the window are not inserted (they would leave a gap; paging forward with
 * {@code loadNewer} brings them), until the window reaches the newest message again or is reset.
 */
public final class ChannelLog {

  /** Incremental change, applied in order, that turns the previous {@link #lines()} into the next. */
  public sealed interface Change {}

  /** Lines were inserted at {@code index} (older history at 0, new messages in the middle or end). */
  public record Inserted(int index, List<ChatLine> lines) implements Change {}

  /** The line at {@code index} changed (edit, reaction, delivery state, pending → stored). */
  public record Replaced(int index, ChatLine line) implements Change {}

  /** The line at {@code index} was removed (deleted message, discarded failed send). */
  public record Removed(int index) implements Change {}

  /** Start over with these lines (channel reloaded after too long offline). */
  public record Reset(List<ChatLine> lines) implements Change {}

  public interface Listener {
    void changed(Change change);
  }

  private final String channelId;
  private final TreeMap<Long, ChatLine> stored = new TreeMap<>();
  private final LinkedHashMap<String, ChatLine> pending = new LinkedHashMap<>();
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private boolean hasOlder = true;
  private boolean hasNewer;
  private boolean loaded;

  ChannelLog(String channelId) {
    this.channelId = channelId;
  }

  public String channelId() {
    return channelId;
  }

  public synchronized List<ChatLine> lines() {
    List<ChatLine> all = new ArrayList<>(stored.size() + pending.size());
    all.addAll(stored.values());
    all.addAll(pending.values());
    return Collections.unmodifiableList(all);
  }

  public synchronized int size() {
    return stored.size() + pending.size();
  }

  /** Whether older history exists beyond the oldest loaded message. */
  public synchronized boolean hasOlder() {
    return hasOlder;
  }

  /** Whether newer history exists beyond the newest loaded message (after a jump into the past). */
  public synchronized boolean hasNewer() {
    return hasNewer;
  }

  /** Whether the newest page was loaded at least once. */
  public synchronized boolean loaded() {
    return loaded;
  }

  public synchronized Long oldestId() {
    return stored.isEmpty() ? null : stored.firstKey();
  }

  public synchronized Long newestId() {
    return stored.isEmpty() ? null : stored.lastKey();
  }

  public synchronized ChatLine byId(long id) {
    return stored.get(id);
  }

  /** Our newest stored message, for "↑ edits your last message". */
  public synchronized Message lastOwn(String userId) {
    for (ChatLine l : stored.descendingMap().values()) {
      if (l.message().author().id().equals(userId)) {
        return l.message();
      }
    }
    return null;
  }

  /**
   * Listens and returns the current lines atomically, so the listener sees every change after
   * that snapshot and none before.
   */
  public synchronized List<ChatLine> listen(Listener l, Subscription[] handle) {
    listeners.add(l);
    handle[0] = () -> listeners.remove(l);
    return lines();
  }

  // ---- mutations (called by HostSession) ----

  /** Merges a page from history or resync; {@code olderExhausted} when it was a "before" page without more. */
  synchronized void mergePage(List<Message> page, Boolean olderExhausted) {
    loaded = true;
    if (olderExhausted != null) {
      hasOlder = !olderExhausted;
    }
    List<Message> sorted = new ArrayList<>(page);
    sorted.sort(Comparator.comparingLong(Message::id));
    // Fast path: a block older than everything loaded (scroll-back) is one insert at 0.
    if (!stored.isEmpty() && !sorted.isEmpty() && sorted.get(sorted.size() - 1).id() < stored.firstKey()) {
      for (Message m : sorted) {
        if (m.nonce() != null) {
          removePending(m.nonce());
        }
      }
      List<ChatLine> block = new ArrayList<>(sorted.size());
      for (Message m : sorted) {
        ChatLine l = ChatLine.stored(m);
        stored.put(m.id(), l);
        block.add(l);
      }
      fire(new Inserted(0, block));
      return;
    }
    for (Message m : sorted) {
      upsert(m);
    }
  }

  /** A message from an event or our send's reply: insert, or replace an older copy of it. */
  synchronized void upsert(Message m) {
    ChatLine line = ChatLine.stored(m);
    ChatLine mine = m.nonce() == null ? null : pending.get(m.nonce());
    if (hasNewer && mine == null && !stored.containsKey(m.id()) && !stored.isEmpty() && m.id() > stored.lastKey()) {
      return; // beyond a window in the past: paging forward brings it in order
    }
    if (mine != null && !stored.containsKey(m.id())) {
      // our pending send became stored: if it still belongs at the end of the stored run, replace
      // it in place so the UI does not jump; else remove and insert at its place
      int at = pendingIndex(m.nonce());
      pending.remove(m.nonce());
      if (at == stored.size() && (stored.isEmpty() || m.id() > stored.lastKey())) {
        // the oldest pending send becomes the newest stored message: same index, no jump
        stored.put(m.id(), line);
        fire(new Replaced(at, line));
        return;
      }
      fire(new Removed(at));
      insertStored(line);
      return;
    }
    if (mine != null) {
      removePending(m.nonce());
    }
    if (stored.containsKey(m.id())) {
      stored.put(m.id(), line);
      fire(new Replaced(indexOf(m.id()), line));
      return;
    }
    insertStored(line);
  }

  private void insertStored(ChatLine line) {
    stored.put(line.message().id(), line);
    fire(new Inserted(indexOf(line.message().id()), List.of(line)));
  }

  synchronized void remove(long id) {
    if (!stored.containsKey(id)) {
      return;
    }
    int at = indexOf(id);
    stored.remove(id);
    fire(new Removed(at));
  }

  /** Applies a change to a stored message (edit, reaction) if it is loaded. */
  synchronized void update(long id, java.util.function.UnaryOperator<Message> f) {
    ChatLine l = stored.get(id);
    if (l == null) {
      return;
    }
    ChatLine next = ChatLine.stored(f.apply(l.message()));
    stored.put(id, next);
    fire(new Replaced(indexOf(id), next));
  }

  synchronized void addPending(ChatLine line) {
    pending.put(line.message().nonce(), line);
    fire(new Inserted(stored.size() + pending.size() - 1, List.of(line)));
  }

  synchronized void setPending(String nonce, ChatLine line) {
    if (!pending.containsKey(nonce)) {
      return;
    }
    int at = pendingIndex(nonce);
    pending.put(nonce, line);
    fire(new Replaced(at, line));
  }

  synchronized void removePending(String nonce) {
    if (!pending.containsKey(nonce)) {
      return;
    }
    int at = pendingIndex(nonce);
    pending.remove(nonce);
    fire(new Removed(at));
  }

  /** Merges a page newer than the window (paging forward after a jump); {@code newerExists} as the host said. */
  synchronized void mergeNewer(List<Message> page, boolean newerExists) {
    boolean wasDetached = hasNewer;
    hasNewer = false; // let the page in
    for (Message m : page.stream().sorted(Comparator.comparingLong(Message::id)).toList()) {
      upsert(m);
    }
    hasNewer = wasDetached && newerExists;
  }

  /**
   * Replaces the window with {@code page}, a window around a message in the past (jump from
   * search); pending sends stay.
   */
  synchronized void resetWindow(List<Message> page, boolean olderExists, boolean newerExists) {
    reset(page, olderExists);
    hasNewer = newerExists;
  }

  /** Drops everything but pending sends (a gap too large to resync); the caller reloads. */
  synchronized void reset(List<Message> newest, boolean olderExists) {
    hasNewer = false;
    stored.clear();
    for (Message m : newest) {
      stored.put(m.id(), ChatLine.stored(m));
      if (m.nonce() != null) {
        pending.remove(m.nonce());
      }
    }
    hasOlder = olderExists;
    loaded = true;
    fire(new Reset(lines()));
  }

  /**
   * Keeps only the newest {@code keep} stored messages (pending sends stay) and notes that older
   * history exists (so {@code loadOlder} brings it back): bounds the memory of a channel left open
   * for a long time, e.g. by a bot or by the soak bench's 500 clients. Listeners get one
   * {@link Reset}; nothing happens if at most {@code keep} are loaded.
   */
  public synchronized void keepNewest(int keep) {
    if (keep < 0) {
      throw new IllegalArgumentException("keep must not be negative, was " + keep);
    }
    if (stored.size() <= keep) {
      return;
    }
    while (stored.size() > keep) {
      stored.pollFirstEntry();
    }
    hasOlder = true;
    fire(new Reset(lines()));
  }

  private int indexOf(long id) {
    // a TreeMap view's size() walks the view: O(loaded messages). Live messages land at the end,
    // so the newest id (and the oldest, for scroll-back) are answered without the walk
    if (!stored.isEmpty()) {
      long last = stored.lastKey();
      if (id == last) {
        return stored.size() - 1;
      }
      if (id > last) {
        return stored.size();
      }
      if (id <= stored.firstKey()) {
        return 0;
      }
    }
    return stored.headMap(id, false).size();
  }

  private int pendingIndex(String nonce) {
    int i = stored.size();
    for (String k : pending.keySet()) {
      if (k.equals(nonce)) {
        return i;
      }
      i++;
    }
    return -1;
  }

  private void fire(Change c) {
    for (Listener l : listeners) {
      l.changed(c);
    }
  }

  /** For the UI: index of a stored message among {@link #lines()}, or -1. */
  public synchronized int indexOfId(long id) {
    return stored.containsKey(id) ? indexOf(id) : -1;
  }
}
