package com.parchchat.turn.server;

import com.parchchat.turn.allocation.Allocation;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native read side of one allocation's relay socket (peer → client, RFC 8656 §10.3 and
 * §12.7): Netty's relay channel still creates, binds, sends on and closes the socket, but with
 * auto-read off it never reads; this handle holds a {@code dup} of its descriptor, registered
 * level-triggered for EPOLLIN on the same epoll event loop, and reads one datagram per wake-up
 * with {@code recvfrom} straight into the client listener's {@link NativeClientBatch}.
 *
 * <p>Everything runs on that one event loop (the relay channel's, which is the client
 * listener's): the dup is created there, read only there, and deregistered and closed there
 * when the relay channel closes. The dup is a descriptor of its own, so Netty closing the relay
 * channel's descriptor cannot make this handle read a reused number; the port is free once both
 * are closed.
 */
final class NativeRelayReader extends NativeDupHandle {
  private static final Logger log = LoggerFactory.getLogger(NativeRelayReader.class);

  private final TurnService service;
  private final Allocation allocation;
  private final NativeClientBatch batch;
  private final byte[] clientIp;
  private final int clientPort;
  private final boolean relayIpv6;
  /** The last sender, so a steady flow builds no address object per datagram. */
  private int lastIpv4;
  private long lastIpv6Hi;
  private long lastIpv6Lo;
  private int lastPort = -1;
  private boolean lastIsV4;
  private InetSocketAddress lastPeer;

  private NativeRelayReader(TurnService service, Allocation allocation, NativeClientBatch batch, int dupFd,
      IoEventLoop loop, InetSocketAddress client, boolean relayIpv6) {
    super(dupFd, loop);
    this.service = service;
    this.allocation = allocation;
    this.batch = batch;
    this.clientIp = client.getAddress().getAddress();
    this.clientPort = client.getPort();
    this.relayIpv6 = relayIpv6;
  }

  /**
   * Takes over reading {@code relay} (bound, open, auto-read off, on the current event loop,
   * the batch's loop). Returns false, touching nothing, when it cannot; the caller then turns
   * auto-read on so Netty's path reads the socket.
   */
  static boolean attach(TurnService service, Allocation allocation, EpollDatagramChannel relay,
      NativeClientBatch batch, InetSocketAddress client) {
    if (!(relay.eventLoop() instanceof IoEventLoop) || !relay.eventLoop().inEventLoop()
        || batch.eventLoop() != relay.eventLoop() || !relay.isOpen() || !batch.canReach(client)) {
      return false;
    }
    int dup = NativeIo.dup(relay.fd().intValue());
    if (dup < 0) {
      return false;
    }
    IoEventLoop loop = (IoEventLoop) relay.eventLoop();
    NativeRelayReader reader = new NativeRelayReader(service, allocation, batch, dup, loop, client,
        batch.isIpv6Socket(dup));
    allocation.nativeRelay(reader);
    reader.start(relay, () -> allocation.nativeRelay(null));
    return true;
  }

  /** Whether {@link #sendTo} may run on the current thread: open, and this is its loop. */
  boolean usableHere() {
    return !closed() && loop.inEventLoop();
  }

  /**
   * Sends {@code length} bytes at {@code data} to {@code peer} from the relayed address (one
   * {@code sendto} on this reader's descriptor, which only this loop uses and closes); the bytes
   * sent, or -1 when refused or closed. {@code name} (at {@code nameAddr}) is scratch memory for the sockaddr.
   */
  long sendTo(MemoryAddress data, int length, InetSocketAddress peer, MemorySegment name, MemoryAddress nameAddr) {
    if (closed() || !loop.inEventLoop()) {
      return -1;
    }
    int nameLen = NativeIo.writeSockaddr(name, 0, peer.getAddress(), peer.getPort(), relayIpv6);
    if (nameLen < 0) {
      return -1;
    }
    return NativeIo.sendto(fd().intValue(), data, length, NativeIo.MSG_DONTWAIT, nameAddr, nameLen);
  }

  @Override
  public void handle(IoRegistration registration, IoEvent event) {
    if (closed()) {
      return;
    }
    try {
      readOne();
    } catch (RuntimeException e) { // never out of the event loop; the datagram is lost
      service.metrics().malformed.increment();
      log.debug("relay {}: {}", allocation.relayedAddress(), e.toString());
    }
  }

  /** One datagram per wake-up, like the Netty path (a relay socket rarely holds more). */
  private void readOne() {
    long n = batch.receive(fd().intValue());
    if (n < 0) { // EAGAIN, or an error the next read reports again (level-triggered)
      return;
    }
    if (n > NativeClientBatch.MAX_PAYLOAD) { // cut by our buffer: never relay a truncated datagram
      service.metrics().malformed.increment();
      return;
    }
    InetSocketAddress peer = sender();
    if (peer == null) {
      service.metrics().malformed.increment();
      return;
    }
    int length = (int) n;
    int verdict = service.admitPeerDatagram(allocation, peer, length);
    if (verdict > 0) {
      batch.commitChannelData(verdict, length, clientIp, clientPort);
    } else if (verdict == 0) {
      batch.commitDataIndication(lastIsV4, length, clientIp, clientPort);
    }
  }

  /** The last datagram's sender, the same object while the sender does not change; null when unparsable. */
  private InetSocketAddress sender() {
    int family = batch.peerFamily();
    int port = batch.peerPort();
    if (family == NativeIo.AF_INET || (family == NativeIo.AF_INET6 && batch.peerIsV4Mapped())) {
      int ip = batch.peerIpv4();
      if (lastPeer != null && lastIsV4 && ip == lastIpv4 && port == lastPort) {
        return lastPeer;
      }
      return remember(ByteBuffer.allocate(4).putInt(ip).array(), port, true, ip, 0, 0);
    }
    if (family == NativeIo.AF_INET6) {
      long hi = batch.peerIpv6(0);
      long lo = batch.peerIpv6(1);
      if (lastPeer != null && !lastIsV4 && hi == lastIpv6Hi && lo == lastIpv6Lo && port == lastPort) {
        return lastPeer;
      }
      return remember(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array(), port, false, 0, hi, lo);
    }
    return null;
  }

  private InetSocketAddress remember(byte[] raw, int port, boolean v4, int ip, long hi, long lo) {
    InetAddress address;
    try {
      address = InetAddress.getByAddress(raw); // no lookup: a literal address
    } catch (UnknownHostException e) {
      return null;
    }
    lastPeer = new InetSocketAddress(address, port);
    lastIsV4 = v4;
    lastIpv4 = ip;
    lastIpv6Hi = hi;
    lastIpv6Lo = lo;
    lastPort = port;
    return lastPeer;
  }

  @Override
  public String toString() {
    return "relay " + allocation.relayedAddress();
  }
}
