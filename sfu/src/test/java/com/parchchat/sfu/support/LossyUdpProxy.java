package com.parchchat.sfu.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback UDP relay between one WebRTC peer and the SFU's media port that loses chosen RTP
 * packets on the way to the peer. The peer is given {@link #peerFacingPort()} as the SFU's
 * candidate; the SFU sees the proxy's other socket as the peer's address (ICE, DTLS, SRTP pass
 * through untouched: the proxy never decrypts).
 *
 * <p>Loss: after {@code skip} RTP packets towards the peer, every {@code every}-th one is dropped,
 * {@code drops} in all. The RTP header (SSRC, sequence number) is in clear under SRTP, so the proxy
 * records which (SSRC, sequence) it dropped and which of those arrived again later — a
 * retransmission. RTCP (RFC 5761 §4: second byte 192–223) and STUN/DTLS always pass.
 */
public final class LossyUdpProxy implements AutoCloseable {
  private final DatagramSocket peerSide;
  private final DatagramSocket sfuSide;
  private final InetSocketAddress sfu;
  private final int skip;
  private final int every;
  private final int drops;
  private final AtomicInteger rtpSeen = new AtomicInteger();
  private final Set<Long> dropped = ConcurrentHashMap.newKeySet();
  private final Set<Long> recovered = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private volatile InetSocketAddress peer;

  public LossyUdpProxy(InetSocketAddress sfu, int skip, int every, int drops) throws SocketException {
    this.sfu = sfu;
    this.skip = skip;
    this.every = every;
    this.drops = drops;
    InetAddress lo = InetAddress.getLoopbackAddress();
    this.peerSide = new DatagramSocket(new InetSocketAddress(lo, 0));
    this.sfuSide = new DatagramSocket(new InetSocketAddress(lo, 0));
    threads.add(pump("proxy-to-sfu", peerSide, this::towardsSfu));
    threads.add(pump("proxy-to-peer", sfuSide, this::towardsPeer));
  }

  /** The port to give the peer in place of the SFU's media port. */
  public int peerFacingPort() {
    return peerSide.getLocalPort();
  }

  /** (SSRC, sequence) keys of the RTP packets dropped so far; see {@link #key}. */
  public Set<Long> dropped() {
    return Set.copyOf(dropped);
  }

  /** Keys of dropped packets that reached the peer later after all. */
  public Set<Long> recovered() {
    return Set.copyOf(recovered);
  }

  public static long key(long ssrc, int sequence) {
    return (ssrc & 0xFFFFFFFFL) << 16 | (sequence & 0xFFFF);
  }

  private interface Route {
    void on(DatagramPacket p) throws IOException;
  }

  private Thread pump(String name, DatagramSocket from, Route route) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[2048];
      while (!from.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          from.receive(p);
          route.on(p);
        } catch (IOException e) {
          if (!from.isClosed()) {
            throw new IllegalStateException(name + " failed", e);
          }
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void towardsSfu(DatagramPacket p) throws IOException {
    peer = (InetSocketAddress) p.getSocketAddress();
    sfuSide.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), sfu));
  }

  private void towardsPeer(DatagramPacket p) throws IOException {
    InetSocketAddress to = peer;
    if (to == null) {
      return;
    }
    byte[] b = p.getData();
    int off = p.getOffset();
    int first = b[off] & 0xFF;
    int second = b[off + 1] & 0xFF;
    if (p.getLength() >= 12 && first >= 128 && first <= 191 && !(second >= 192 && second <= 223)) {
      int seq = (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
      long ssrc = ((long) (b[off + 8] & 0xFF) << 24) | (b[off + 9] & 0xFF) << 16 | (b[off + 10] & 0xFF) << 8
          | (b[off + 11] & 0xFF);
      long k = key(ssrc, seq);
      if (dropped.contains(k)) {
        recovered.add(k);
      } else {
        int n = rtpSeen.incrementAndGet();
        if (n > skip && (n - skip) % every == 0 && dropped.size() < drops) {
          dropped.add(k);
          return;
        }
      }
    }
    peerSide.send(new DatagramPacket(b, off, p.getLength(), to));
  }

  @Override
  public void close() {
    peerSide.close();
    sfuSide.close();
    for (Thread t : threads) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
