package com.parchchat.sfu.dtls;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Adapts the shared UDP socket to BouncyCastle's blocking {@link DatagramTransport}: the media
 * thread offers DTLS records (RFC 7983 first byte 20–63) into a bounded queue, the DTLS thread
 * takes them; sends go out through the session's currently selected ICE path.
 */
final class QueueDatagramTransport implements DatagramTransport {
  static final int MTU = 1200;

  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(64);
  private final Consumer<byte[]> sender;
  private volatile boolean closed;

  QueueDatagramTransport(Consumer<byte[]> sender) {
    this.sender = sender;
  }

  /** Called from the media thread; drops when full rather than block it. */
  boolean offer(byte[] datagram) {
    return !closed && inbound.offer(datagram);
  }

  @Override
  public int getReceiveLimit() {
    return 1500;
  }

  @Override
  public int getSendLimit() {
    return MTU;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    if (closed) {
      throw new IOException("transport closed");
    }
    try {
      byte[] d = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
      if (d == null) {
        return -1;
      }
      int n = Math.min(len, d.length);
      System.arraycopy(d, 0, buf, off, n);
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("transport closed");
    }
    byte[] copy = new byte[len];
    System.arraycopy(buf, off, copy, 0, len);
    sender.accept(copy);
  }

  @Override
  public void close() {
    closed = true;
  }
}
