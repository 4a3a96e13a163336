package com.parchchat.turn.server;

import com.parchchat.turn.metrics.TurnMetrics;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;

/**
 * Datagrams from relay sockets to UDP clients of one listener socket, in native memory, sent
 * with one {@code sendmmsg} on the listener's descriptor per event-loop iteration. A relay
 * reader receives a peer's datagram straight into the next free slot (behind room for the
 * ChannelData or Data indication header), so a relayed datagram is one {@code recvfrom}, a
 * header written in place and a share of one {@code sendmmsg}, with no Java object.
 *
 * <p>Used only on the listener's event loop, which owns the listener descriptor: every send
 * checks that the channel is still open on that same thread, so the descriptor cannot have been
 * closed (and its number reused) in between. The memory lives as long as this object
 * (an implicit scope, freed by the GC once the listener and its allocations are gone).
 */
final class NativeClientBatch implements Runnable {
  /** Largest peer datagram relayed (as the listener's {@link TurnServer#MAX_DATAGRAM}); longer ones are dropped. */
  static final int MAX_PAYLOAD = TurnServer.MAX_DATAGRAM;
  /** Room before the payload: a Data indication header with an IPv6 XOR-PEER-ADDRESS (20 + 24 + 4). */
  static final int HEADROOM = 48;
  static final int SLOTS = 64;
  private static final int MMSG = 64; // struct mmsghdr on x86_64/aarch64 Linux
  private static final int IOV = 16;
  private static final int NAME = 32; // >= sizeof(sockaddr_in6) = 28
  private static final int DATA = HEADROOM + MAX_PAYLOAD + 16; // + padding of a Data indication
  private static final int MAGIC_COOKIE = 0x2112A442;
  private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

  private final EpollDatagramChannel listener;
  private final int listenerFd;
  private final boolean listenerIpv6;
  private final TurnMetrics metrics;
  private final MemorySegment mem;
  private final MemorySegment peerName;
  private final MemorySegment peerNameLen;
  private final MemoryAddress peerNameAddr;
  private final MemoryAddress peerNameLenAddr;
  /** Raw address of {@link #mem}, to fill iovecs without making a MemoryAddress per datagram. */
  private final long memRaw;
  private final long mmsgBase;
  private final long iovBase;
  private final long nameBase;
  private final long dataBase;
  private final MemoryAddress[] mmsgAddr = new MemoryAddress[SLOTS];
  private final MemoryAddress[] payloadAddr = new MemoryAddress[SLOTS];
  private int count;
  private boolean scheduled;

  /** Must run on the listener's event loop (it asks the kernel for the listener's address family). */
  NativeClientBatch(EpollDatagramChannel listener, TurnMetrics metrics) {
    this.listener = listener;
    this.listenerFd = listener.fd().intValue();
    this.metrics = metrics;
    ResourceScope scope = ResourceScope.newImplicitScope();
    this.mmsgBase = 0;
    this.iovBase = mmsgBase + (long) SLOTS * MMSG;
    this.nameBase = iovBase + (long) SLOTS * IOV;
    this.dataBase = nameBase + (long) SLOTS * NAME;
    this.mem = MemorySegment.allocateNative(dataBase + (long) SLOTS * DATA, 64, scope);
    this.peerName = MemorySegment.allocateNative(NAME + 8, 8, scope);
    this.peerNameLen = MemorySegment.allocateNative(8, 8, scope);
    MemoryAddress base = mem.address();
    this.memRaw = base.toRawLongValue();
    this.peerNameAddr = peerName.address();
    this.peerNameLenAddr = peerNameLen.address();
    for (int i = 0; i < SLOTS; i++) {
      long m = mmsgBase + (long) i * MMSG;
      // struct msghdr: msg_name @0, msg_namelen @8, msg_iov @16, msg_iovlen @24, control @32/@40, flags @48
      MemoryAccess.setLongAtOffset(mem, m, base.addOffset(nameBase + (long) i * NAME).toRawLongValue());
      MemoryAccess.setLongAtOffset(mem, m + 16, base.addOffset(iovBase + (long) i * IOV).toRawLongValue());
      MemoryAccess.setLongAtOffset(mem, m + 24, 1);
      mmsgAddr[i] = base.addOffset(m);
      payloadAddr[i] = base.addOffset(dataBase + (long) i * DATA + HEADROOM);
    }
    MemoryAccess.setIntAtOffset(peerNameLen, 0, NAME);
    this.listenerIpv6 = NativeIo.getsockname(listenerFd, peerName.address(), peerNameLen.address()) == 0
        && (MemoryAccess.getShortAtOffset(peerName, 0) & 0xFFFF) == NativeIo.AF_INET6;
  }

  /** Whether socket {@code fd} is AF_INET6 (on this loop; uses the sender scratch). */
  boolean isIpv6Socket(int fd) {
    return NativeIo.isIpv6Socket(fd, peerName);
  }

  EventLoop eventLoop() {
    return listener.eventLoop();
  }

  /**
   * Reads one datagram from relay descriptor {@code fd} into the next free slot (flushing
   * first when all are queued). Returns its length (more than {@link #MAX_PAYLOAD} when it was
   * cut), or -1 when there is none; the sender's address is then in {@link #peerFamily} and
   * friends until the next read. The client of the allocation is given as its raw address
   * ({@code InetAddress.getAddress()}, taken once per allocation) and port.
   */
  long receive(int fd) {
    if (count == SLOTS) {
      run();
    }
    MemoryAccess.setIntAtOffset(peerNameLen, 0, NAME);
    return NativeIo.recvfrom(fd, payloadAddr[count], MAX_PAYLOAD, NativeIo.MSG_DONTWAIT | NativeIo.MSG_TRUNC,
        peerNameAddr, peerNameLenAddr);
  }

  /** Family of the last sender: {@link NativeIo#AF_INET}, {@link NativeIo#AF_INET6} or something else. */
  int peerFamily() {
    if (MemoryAccess.getIntAtOffset(peerNameLen, 0) < 16) {
      return -1;
    }
    return MemoryAccess.getShortAtOffset(peerName, 0) & 0xFFFF;
  }

  int peerPort() {
    return MemoryAccess.getShortAtOffset(peerName, 2, BE) & 0xFFFF;
  }

  /** IPv4 sender (AF_INET, or AF_INET6 holding an IPv4-mapped address): its address as an int. */
  int peerIpv4() {
    return MemoryAccess.getIntAtOffset(peerName, peerFamily() == NativeIo.AF_INET ? 4 : 20, BE);
  }

  /** True when the last AF_INET6 sender is an IPv4-mapped address (::ffff:a.b.c.d). */
  boolean peerIsV4Mapped() {
    return MemoryAccess.getIntAtOffset(peerNameLen, 0) >= 28
        && MemoryAccess.getLongAtOffset(peerName, 8) == 0
        && MemoryAccess.getIntAtOffset(peerName, 16, BE) == 0x0000FFFF;
  }

  /** The last AF_INET6 sender's address, 8 bytes from {@code half * 8} (big-endian). */
  long peerIpv6(int half) {
    return MemoryAccess.getLongAtOffset(peerName, 8 + half * 8L, BE);
  }

  /** Queues the datagram just received as ChannelData on {@code channel} to {@code client}. */
  void commitChannelData(int channel, int length, byte[] clientIp, int clientPort) {
    long data = dataBase + (long) count * DATA;
    long start = data + HEADROOM - 4;
    MemoryAccess.setShortAtOffset(mem, start, BE, (short) channel);
    MemoryAccess.setShortAtOffset(mem, start + 2, BE, (short) length);
    commit(start, 4 + length, clientIp, clientPort);
  }

  /**
   * Queues the datagram just received as a Data indication (RFC 8656 §10.3: XOR-PEER-ADDRESS of
   * the last sender and DATA) to {@code client}. {@code ipv4} says which address form the
   * sender has (see {@link #peerIpv4}).
   */
  void commitDataIndication(boolean ipv4, int length, byte[] clientIp, int clientPort) {
    long data = dataBase + (long) count * DATA;
    int addrLen = ipv4 ? 8 : 20;
    long start = data + HEADROOM - 4 - (4 + addrLen) - 20;
    int padded = (length + 3) & ~3;
    for (int i = length; i < padded; i++) {
      MemoryAccess.setByteAtOffset(mem, data + HEADROOM + i, (byte) 0);
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    long p = start;
    MemoryAccess.setShortAtOffset(mem, p, BE, (short) 0x0017); // Data indication
    MemoryAccess.setShortAtOffset(mem, p + 2, BE, (short) (4 + addrLen + 4 + padded));
    MemoryAccess.setIntAtOffset(mem, p + 4, BE, MAGIC_COOKIE);
    long tx0 = rnd.nextLong();
    int tx1 = rnd.nextInt();
    MemoryAccess.setLongAtOffset(mem, p + 8, BE, tx0);
    MemoryAccess.setIntAtOffset(mem, p + 16, BE, tx1);
    p += 20;
    MemoryAccess.setShortAtOffset(mem, p, BE, (short) 0x0012); // XOR-PEER-ADDRESS
    MemoryAccess.setShortAtOffset(mem, p + 2, BE, (short) addrLen);
    MemoryAccess.setShortAtOffset(mem, p + 4, BE, (short) (ipv4 ? 0x0001 : 0x0002));
    MemoryAccess.setShortAtOffset(mem, p + 6, BE, (short) (peerPort() ^ (MAGIC_COOKIE >>> 16)));
    if (ipv4) {
      MemoryAccess.setIntAtOffset(mem, p + 8, BE, peerIpv4() ^ MAGIC_COOKIE);
    } else {
      // RFC 8489 §14.2: an IPv6 address is XOR'ed with the magic cookie and the transaction ID
      MemoryAccess.setLongAtOffset(mem, p + 8, BE, peerIpv6(0) ^ (((long) MAGIC_COOKIE << 32) | (tx0 >>> 32)));
      MemoryAccess.setLongAtOffset(mem, p + 16, BE, peerIpv6(1) ^ ((tx0 << 32) | (tx1 & 0xFFFFFFFFL)));
    }
    p += 4 + addrLen;
    MemoryAccess.setShortAtOffset(mem, p, BE, (short) 0x0013); // DATA
    MemoryAccess.setShortAtOffset(mem, p + 2, BE, (short) length);
    commit(start, (int) (p + 4 + padded - start), clientIp, clientPort);
  }

  private void commit(long start, int length, byte[] clientIp, int clientPort) {
    int i = count;
    long m = mmsgBase + (long) i * MMSG;
    long iov = iovBase + (long) i * IOV;
    MemoryAccess.setLongAtOffset(mem, iov, memRaw + start);
    MemoryAccess.setLongAtOffset(mem, iov + 8, length);
    MemoryAccess.setIntAtOffset(mem, m + 8, writeName(nameBase + (long) i * NAME, clientIp, clientPort));
    count = i + 1;
    if (!scheduled) {
      scheduled = true;
      listener.eventLoop().execute(this);
    }
  }

  private int writeName(long at, byte[] raw, int port) {
    if (!listenerIpv6 && raw.length == 4) {
      MemoryAccess.setShortAtOffset(mem, at, (short) NativeIo.AF_INET);
      MemoryAccess.setShortAtOffset(mem, at + 2, BE, (short) port);
      for (int k = 0; k < 4; k++) {
        MemoryAccess.setByteAtOffset(mem, at + 4 + k, raw[k]);
      }
      MemoryAccess.setLongAtOffset(mem, at + 8, 0);
      return 16;
    }
    MemoryAccess.setShortAtOffset(mem, at, (short) NativeIo.AF_INET6);
    MemoryAccess.setShortAtOffset(mem, at + 2, BE, (short) port);
    MemoryAccess.setIntAtOffset(mem, at + 4, 0); // flow info
    if (raw.length == 4) { // IPv4-mapped on a dual-stack listener
      MemoryAccess.setLongAtOffset(mem, at + 8, 0);
      MemoryAccess.setIntAtOffset(mem, at + 16, BE, 0x0000FFFF);
      for (int k = 0; k < 4; k++) {
        MemoryAccess.setByteAtOffset(mem, at + 20 + k, raw[k]);
      }
    } else {
      for (int k = 0; k < 16; k++) {
        MemoryAccess.setByteAtOffset(mem, at + 8 + k, raw[k]);
      }
    }
    MemoryAccess.setIntAtOffset(mem, at + 24, 0); // scope id
    return 28;
  }

  /** Whether {@code client} can be written as a destination of this listener. */
  boolean canReach(InetSocketAddress client) {
    return client.getAddress() instanceof Inet4Address || listenerIpv6;
  }

  /** Flush task: one {@code sendmmsg} for everything queued (more calls only after a refused message). */
  @Override
  public void run() {
    scheduled = false;
    int start = 0;
    int n = count;
    while (start < n) {
      if (!listener.isOpen()) { // closed on this same thread: its descriptor number may be reused already
        metrics.droppedSendFailed.add(n - start);
        break;
      }
      int sent = NativeIo.sendmmsg(listenerFd, mmsgAddr[start], n - start, NativeIo.MSG_DONTWAIT);
      if (sent <= 0) { // the first message was refused (send buffer full, unreachable): drop it, go on
        metrics.droppedSendFailed.increment();
        start++;
      } else {
        start += sent;
      }
    }
    count = 0;
  }
}
