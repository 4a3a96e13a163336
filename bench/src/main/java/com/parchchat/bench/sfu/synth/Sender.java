package com.parchchat.bench.sfu.synth;

import com.parchchat.testkit.synth.Buf;
import com.parchchat.testkit.synth.SynthPeer;
import com.parchchat.testkit.synth.SynthSdp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces Opus-like RTP from the active publishers: each sends one 20 ms packet per 20 ms, the
 * publishers evenly staggered within the period (real talkers are not synchronised). A packet is a
 * 12-byte header with the RFC 8285 one-byte audio-level extension (RFC 6464), then an 80-byte
 * payload (a 32 kbit/s Opus frame) whose first 8 bytes are {@code System.nanoTime()} taken just
 * before encryption, byte 8 the measuring phase, bytes 9–10 the publisher's index and bytes 11–18
 * the same moment on {@code CLOCK_REALTIME} (ns since the epoch, the clock of the subscribers'
 * kernel receive stamps, {@link RxStamps}). With an SFU each packet goes once to the SFU;
 * in the baseline each copy goes straight to every subscriber, stamped and encrypted per copy.
 */
final class Sender implements AutoCloseable {
  static final int PAYLOAD = 80;
  static final long PERIOD_NANOS = 20_000_000L;
  /** Payload offsets: monotonic send stamp, phase, realtime send stamp; bytes used. */
  static final int AT_MONO = 0;
  static final int AT_PHASE = 8;
  static final int AT_REAL = 11;
  static final int USED = 19;

  /** One publisher: its peer and where its packets go. */
  static final class Pub {
    final SynthPeer peer;
    final short index;
    final List<InetSocketAddress> targets;
    int seq;
    int timestamp;

    Pub(SynthPeer peer, int index, List<InetSocketAddress> targets) {
      this.peer = peer;
      this.index = (short) index;
      this.targets = targets;
      this.seq = index * 1000;
      this.timestamp = index * 100_000;
    }
  }

  private final List<Pub> pubs;
  private final int fanout;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int phase;
  private final java.util.concurrent.atomic.AtomicLongArray expected = new java.util.concurrent.atomic.AtomicLongArray(256);
  private long errors;

  /**
   * @param fanout copies each packet sent to the SFU should produce at the subscribers (1 when
   *     the targets are the subscribers themselves)
   */
  Sender(List<Pub> pubs, int fanout) {
    this.pubs = pubs;
    this.fanout = fanout;
    thread = new Thread(this::loop, "synth-sender");
    thread.setDaemon(true);
    thread.setPriority(Thread.MAX_PRIORITY);
    thread.start();
  }

  /** Packets carry {@code p} (1–255 measured, 0 not) from now on. */
  void phase(int p) {
    phase = p;
  }

  /** Receptions the subscribers should have of packets sent in {@code p}. */
  long expected(int p) {
    return expected.get(p);
  }

  long errors() {
    return errors;
  }

  private void loop() {
    Buf buf = new Buf(256);
    ByteBuffer out = ByteBuffer.wrap(buf.getBuffer());
    int n = pubs.size();
    long step = PERIOD_NANOS / n;
    long start = System.nanoTime();
    long j = 0;
    while (running) {
      long due = start + j * step;
      long wait = due - System.nanoTime();
      if (wait > 20_000) {
        LockSupport.parkNanos(wait);
        continue;
      }
      Pub p = pubs.get((int) (j % n));
      j++;
      int ph = phase;
      for (InetSocketAddress to : p.targets) {
        byte[] b = buf.getBuffer();
        write(p, b, ph);
        Buf.put64(b, 20 + AT_REAL, RxStamps.realtimeNanos());
        Buf.put64(b, 20 + AT_MONO, System.nanoTime());
        buf.set(0, 20 + PAYLOAD);
        try {
          int len = p.peer.keys().protect(buf);
          if (buf.getBuffer() != out.array()) {
            out = ByteBuffer.wrap(buf.getBuffer());
          }
          out.clear().limit(len);
          p.peer.channel().send(out, to);
          if (ph > 0) {
            expected.addAndGet(ph, fanout);
          }
        } catch (GeneralSecurityException | IOException e) {
          errors++;
        }
      }
      p.seq = (p.seq + 1) & 0xFFFF;
      p.timestamp += 960;
    }
  }

  private static void write(Pub p, byte[] b, int phase) {
    b[0] = (byte) 0x90; // V=2, X=1
    b[1] = (byte) SynthSdp.OPUS_PT;
    b[2] = (byte) (p.seq >> 8);
    b[3] = (byte) p.seq;
    b[4] = (byte) (p.timestamp >> 24);
    b[5] = (byte) (p.timestamp >> 16);
    b[6] = (byte) (p.timestamp >> 8);
    b[7] = (byte) p.timestamp;
    int s = p.peer.ssrc;
    b[8] = (byte) (s >> 24);
    b[9] = (byte) (s >> 16);
    b[10] = (byte) (s >> 8);
    b[11] = (byte) s;
    b[12] = (byte) 0xBE; // RFC 8285 one-byte header, 1 word
    b[13] = (byte) 0xDE;
    b[14] = 0;
    b[15] = 1;
    b[16] = (byte) (SynthSdp.AUDIO_LEVEL_ID << 4); // id, length 1
    b[17] = (byte) (0x80 | (20 + p.index % 40)); // voice activity, level -dBov
    b[18] = 0;
    b[19] = 0;
    b[20 + AT_PHASE] = (byte) phase;
    b[29] = (byte) (p.index >> 8);
    b[30] = (byte) p.index;
    for (int i = 20 + USED; i < 20 + PAYLOAD; i++) {
      b[i] = (byte) (i * 31 + p.seq);
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
