package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import com.parchchat.testkit.synth.Buf;
import com.parchchat.testkit.synth.SynthPeer;
import org.HdrHistogram.Histogram;

/**
 * One receiving thread for many synthetic peers: an epoll selector over their sockets, draining
 * each ready socket. The receive time is taken right after each datagram is read, before
 * decryption; RTP whose payload ({@link Sender}: send stamp, then phase) carries the measured phase
 * is counted and its one-way latency (send stamp → receive) recorded.
 */
final class Receiver implements AutoCloseable {
  private final Selector selector;
  private final Queue<SynthPeer> pending = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int measuredPhase = -1;
  private volatile Histogram histogram = newHistogram();
  private volatile long measuredPackets;
  private final boolean recordsLatency;

  /**
   * @param recordsLatency whether this thread's peers are latency probes (their one-way latency
   *     goes into the histogram); the others only count their packets of the measured phase
   */
  Receiver(String name, boolean recordsLatency) {
    this.recordsLatency = recordsLatency;
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    if (recordsLatency) {
      thread.setPriority(Thread.MAX_PRIORITY);
    }
    thread.start();
  }

  static Histogram newHistogram() {
    return new Histogram(60_000_000_000L, 3);
  }

  void add(SynthPeer p) {
    pending.add(p);
    selector.wakeup();
  }

  /** Starts counting packets of {@code phase} into a fresh histogram. */
  void measure(int phase) {
    histogram = newHistogram();
    measuredPackets = 0;
    measuredPhase = phase;
  }

  /** Stops counting; call after the stragglers had time to arrive. */
  void stop() {
    measuredPhase = -1;
  }

  boolean recordsLatency() {
    return recordsLatency;
  }

  Histogram histogram() {
    return histogram;
  }

  long measuredPackets() {
    return measuredPackets;
  }

  private void loop() {
    ByteBuffer bb = ByteBuffer.allocateDirect(2048);
    try {
      while (running) {
        SynthPeer p;
        while ((p = pending.poll()) != null) {
          p.channel().register(selector, SelectionKey.OP_READ, p);
        }
        selector.select(100);
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          SynthPeer peer = (SynthPeer) k.attachment();
          for (int n = 0; n < 64; n++) {
            bb.clear();
            InetSocketAddress from;
            try {
              from = (InetSocketAddress) peer.channel().receive(bb);
            } catch (IOException e) {
              break;
            }
            if (from == null) {
              break;
            }
            long now = System.nanoTime();
            bb.flip();
            Buf rtp = peer.onDatagram(bb, from);
            if (rtp == null) {
              continue;
            }
            int payload = rtp.getOffset() + SynthPeer.payloadOffset(rtp);
            if (rtp.getLength() < payload - rtp.getOffset() + 9) {
              continue; // not a packet of ours: no send stamp and phase
            }
            int phase = rtp.getBuffer()[payload + 8];
            long latency = now - Buf.int64(rtp.getBuffer(), payload);
            if (latency >= 0 && phase == measuredPhase && phase > 0) {
              measuredPackets++;
              if (recordsLatency) {
                histogram.recordValue(Math.min(latency, 59_000_000_000L));
              }
            }
          }
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      if (running) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
      selector.close();
    } catch (InterruptedException | IOException e) {
      Thread.currentThread().interrupt();
    }
  }
}
