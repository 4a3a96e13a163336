package com.parchchat.relay.routing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outbound queue of one event loop: every frame the router sends to a peer on that loop
 * (fan-out events, replies, errors, notifications, closes) goes through it, in order. One task
 * drains whatever has queued up since the last drain, so under load one drain covers many frames:
 *
 * <ul>
 *   <li>consecutive events for the same subscriber group are copied into one buffer, and each
 *       subscriber gets one duplicate of it — one outbound-buffer entry and one {@code write}
 *       syscall per connection for several events, instead of one per event;
 *   <li>each peer written to is flushed once, at the end of the drain.
 * </ul>
 *
 * Frames are pre-encoded WebSocket frames ({@link WebSocketFrames}). Order per peer is the order
 * in which frames were offered (single producer per peer in practice, FIFO queue in any case).
 */
final class Outbox implements Runnable {
  /** Events are grouped into buffers of at most this many bytes (one large event is its own group). */
  static final int MAX_GROUP_BYTES = 32 * 1024;

  private static final Map<EventLoop, Outbox> BY_LOOP = new ConcurrentHashMap<>();

  /** The outbox of {@code loop}, created on first use and dropped when the loop terminates. */
  static Outbox of(EventLoop loop) {
    Outbox o = BY_LOOP.get(loop);
    if (o != null) {
      return o;
    }
    return BY_LOOP.computeIfAbsent(loop, k -> {
      Outbox created = new Outbox(k);
      k.terminationFuture().addListener(f -> {
        BY_LOOP.remove(k, created);
        created.releaseAll();
      });
      return created;
    });
  }

  /** One queued frame for one peer, or for every peer of a fan-out group, or a close. */
  private static final class Item {
    final ByteBuf frame;
    final Peer[] group;
    final Peer peer;
    final int closeCode;
    final String closeReason;

    Item(ByteBuf frame, Peer[] group, Peer peer, int closeCode, String closeReason) {
      this.frame = frame;
      this.group = group;
      this.peer = peer;
      this.closeCode = closeCode;
      this.closeReason = closeReason;
    }
  }

  private final EventLoop loop;
  private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Peers written to during the current drain; event loop only. */
  private final List<Peer> toFlush = new ArrayList<>();
  private Outbox(EventLoop loop) {
    this.loop = loop;
  }

  /** Queues one fan-out event for every peer in {@code group} (all on this loop); takes {@code frame}. */
  void offerGroup(ByteBuf frame, Peer[] group) {
    offer(new Item(frame, group, null, 0, null));
  }

  /** Queues one frame for {@code peer}; takes {@code frame}. */
  void offer(ByteBuf frame, Peer peer) {
    offer(new Item(frame, null, peer, 0, null));
  }

  /** Queues a close of {@code peer}, after the frames queued before it. */
  void offerClose(Peer peer, int code, String reason) {
    offer(new Item(null, null, peer, code, reason));
  }

  private void offer(Item item) {
    queue.add(item);
    if (scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this);
      } catch (RejectedExecutionException shuttingDown) {
        // the loop is gone: nothing will be written; a later offer tries (and releases) again
        scheduled.set(false);
        releaseAll();
      }
    }
  }

  /** The drain task: writes everything queued so far, then flushes each peer written to once. */
  @Override
  public void run() {
    scheduled.set(false);
    ByteBuf acc = null;
    Peer[] accGroup = null;
    int accFrames = 0;
    Item it;
    while ((it = queue.poll()) != null) {
      if (it.group != null) {
        if (acc != null && it.group == accGroup
            && acc.readableBytes() + it.frame.readableBytes() <= MAX_GROUP_BYTES) {
          acc = append(acc, accFrames, it.frame);
          accFrames++;
          continue;
        }
        if (acc != null) {
          writeGroup(acc, accGroup, accFrames);
        }
        acc = it.frame;
        accGroup = it.group;
        accFrames = 1;
        continue;
      }
      if (acc != null) {
        writeGroup(acc, accGroup, accFrames);
        acc = null;
        accGroup = null;
      }
      if (it.frame != null) {
        if (it.peer.writeEncoded(it.frame)) {
          mark(it.peer);
        }
      } else {
        it.peer.closeNow(it.closeCode, it.closeReason);
      }
    }
    if (acc != null) {
      writeGroup(acc, accGroup, accFrames);
    }
    for (int i = 0; i < toFlush.size(); i++) {
      toFlush.get(i).flushMarked();
    }
    toFlush.clear();
  }

  /** Appends {@code next} to the group buffer, copying into a larger buffer when needed. */
  private ByteBuf append(ByteBuf acc, int frames, ByteBuf next) {
    try {
      if (frames == 1) {
        // never write into the event's own buffer: other loops share it
        int want = Math.max(4096, 4 * (acc.readableBytes() + next.readableBytes()));
        ByteBuf bigger = acc.alloc().directBuffer(Math.min(MAX_GROUP_BYTES, want), MAX_GROUP_BYTES);
        bigger.writeBytes(acc, acc.readerIndex(), acc.readableBytes());
        acc.release();
        acc = bigger;
      }
      acc.writeBytes(next, next.readerIndex(), next.readableBytes());
      return acc;
    } finally {
      next.release();
    }
  }

  /** Writes {@code frames} events in {@code buf} to every peer of {@code group}; releases {@code buf}. */
  private void writeGroup(ByteBuf buf, Peer[] group, int frames) {
    int delivered = 0;
    try {
      for (Peer p : group) {
        if (p.writeEncoded(buf.retainedDuplicate())) {
          delivered += frames;
          mark(p);
        }
      }
    } finally {
      buf.release();
    }
    if (delivered > 0) {
      group[0].countDeliveries(delivered);
    }
  }

  private void mark(Peer p) {
    if (p.markForFlush()) {
      toFlush.add(p);
    }
  }

  /** The loop is gone: nothing will be written any more. */
  private void releaseAll() {
    Item it;
    while ((it = queue.poll()) != null) {
      if (it.frame != null) {
        it.frame.release();
      }
    }
  }
}
