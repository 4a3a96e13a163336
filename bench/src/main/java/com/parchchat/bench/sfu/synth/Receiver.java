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
 * decryption; RTP whose payload ({@link Sender}: send stamps, phase) carries the measured phase
 * is counted and its one-way latency recorded twice:
 *
 * <ul>
 *   <li><b>user-space receive</b>: send stamp ({@code System.nanoTime()}) → this thread's
 *       {@code System.nanoTime()} right after {@code receive()}; includes this thread's own
 *       wake-up delay and its reading and decrypting of the datagrams queued before this one;
 *   <li><b>kernel rx stamp</b> (when {@link RxStamps} are available): realtime send stamp → the
 *       kernel's receive stamp of the datagram ({@code SIOCGSTAMPNS}), taken when the datagram
 *       entered the host's receive path — on loopback inside the sender's (the SFU's) send call —
 *       so none of the measuring thread's delays are in it.
 * </ul>
 *
 * The difference of the two per datagram (realtime right after {@code receive()} − kernel stamp)
 * is recorded as the measuring side's own receive delay. A kernel stamp later than that realtime
 * (the kernel had none and answered with the time of the call) is counted as bad and not used.
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
  private final RxStamps stamps;
  private volatile Histogram kernelHistogram = newHistogram();
  private volatile Histogram rxDelayHistogram = newHistogram();
  private volatile long badStamps;
  private volatile long stampFailures;
  /** Kernel-stamp latency above which a measured datagram is kept for the tail analysis. */
  static final long LATE_NANOS = 1_000_000L;
  private static final int LATE_CAP = 200_000;
  /** Late datagrams of the measured phase: realtime send stamp and kernel-stamp latency. */
  private volatile long[] lateSent = new long[0];
  private volatile long[] lateLatency = new long[0];
  private volatile int lateCount;

  /** A registered socket: its peer and, with kernel stamps, its descriptor (else -1). */
  private static final class Sock {
    final SynthPeer peer;
    final int fd;

    Sock(SynthPeer peer, int fd) {
      this.peer = peer;
      this.fd = fd;
    }
  }

  /**
   * @param recordsLatency whether this thread's peers are latency probes (their one-way latency
   *     goes into the histogram); the others only count their packets of the measured phase
   */
  Receiver(String name, boolean recordsLatency) {
    this(name, recordsLatency, null);
  }

  /**
   * @param stamps kernel receive stamps for this thread's latency (null or unavailable: user-space
   *     receive times only); used only when {@code recordsLatency}
   */
  Receiver(String name, boolean recordsLatency, RxStamps stamps) {
    this.recordsLatency = recordsLatency;
    this.stamps = recordsLatency && stamps != null && stamps.available() ? stamps : null;
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
    kernelHistogram = newHistogram();
    rxDelayHistogram = newHistogram();
    measuredPackets = 0;
    badStamps = 0;
    stampFailures = 0;
    if (stamps != null) {
      lateSent = new long[LATE_CAP];
      lateLatency = new long[LATE_CAP];
    }
    lateCount = 0;
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

  /** Whether this thread records kernel receive stamps. */
  boolean kernelStamps() {
    return stamps != null;
  }

  /** Latency send → kernel receive stamp, of the measured phase. */
  Histogram kernelHistogram() {
    return kernelHistogram;
  }

  /** The measuring thread's delay: kernel receive stamp → realtime right after {@code receive()}. */
  Histogram rxDelayHistogram() {
    return rxDelayHistogram;
  }

  /** Measured datagrams whose kernel stamp was implausible (later than the read, or before the send). */
  long badStamps() {
    return badStamps;
  }

  /**
   * Measured datagrams whose kernel-stamp latency exceeded {@link #LATE_NANOS}: pairs of realtime
   * send stamp and latency (at most 200,000 kept). Read after {@link #stop()}.
   */
  long[][] late() {
    int n = lateCount;
    return new long[][] {java.util.Arrays.copyOf(lateSent, n), java.util.Arrays.copyOf(lateLatency, n)};
  }

  /** Measured datagrams for which the kernel returned no stamp. */
  long stampFailures() {
    return stampFailures;
  }

  private void loop() {
    ByteBuffer bb = ByteBuffer.allocateDirect(2048);
    RxStamps.Reader reader = stamps != null ? stamps.reader() : null;
    try {
      while (running) {
        SynthPeer p;
        while ((p = pending.poll()) != null) {
          int fd = stamps != null ? stamps.enable(p.channel()) : -1;
          p.channel().register(selector, SelectionKey.OP_READ, new Sock(p, fd));
        }
        selector.select(100);
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          Sock sock = (Sock) k.attachment();
          SynthPeer peer = sock.peer;
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
            long realNow = 0;
            long kernel = -1;
            if (reader != null) {
              realNow = RxStamps.realtimeNanos();
              kernel = reader.lastStamp(sock.fd);
            }
            bb.flip();
            Buf rtp = peer.onDatagram(bb, from);
            if (rtp == null) {
              continue;
            }
            int payload = rtp.getOffset() + SynthPeer.payloadOffset(rtp);
            if (rtp.getLength() < payload - rtp.getOffset() + Sender.USED) {
              continue; // not a packet of ours: no send stamps and phase
            }
            byte[] b = rtp.getBuffer();
            int phase = b[payload + Sender.AT_PHASE];
            long latency = now - Buf.int64(b, payload + Sender.AT_MONO);
            if (latency >= 0 && phase == measuredPhase && phase > 0) {
              measuredPackets++;
              if (recordsLatency) {
                histogram.recordValue(Math.min(latency, 59_000_000_000L));
              }
              if (reader != null) {
                long sentReal = Buf.int64(b, payload + Sender.AT_REAL);
                if (kernel < 0) {
                  stampFailures++;
                } else if (kernel > realNow || kernel < sentReal) {
                  badStamps++;
                } else {
                  long kl = kernel - sentReal;
                  if (kl > LATE_NANOS && lateCount < lateSent.length) {
                    lateSent[lateCount] = sentReal;
                    lateLatency[lateCount] = kl;
                    lateCount++;
                  }
                  kernelHistogram.recordValue(Math.min(kl, 59_000_000_000L));
                  rxDelayHistogram.recordValue(Math.min(realNow - kernel, 59_000_000_000L));
                }
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
