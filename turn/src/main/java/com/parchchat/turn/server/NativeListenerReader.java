package com.parchchat.turn.server;

import com.parchchat.turn.allocation.Allocation;
import com.parchchat.turn.allocation.ChannelBinding;
import com.parchchat.turn.allocation.ClientSink;
import com.parchchat.turn.allocation.FiveTuple;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native read side of one UDP listener socket (client → server): Netty's listener channel
 * still owns the socket and sends STUN responses, but with auto-read off it never reads; this
 * handle holds a {@code dup} of its descriptor, registered level-triggered for EPOLLIN on the
 * listener's event loop, and reads with {@code recvmmsg} into native memory. ChannelData from
 * an IPv4 client with an allocation (the data path) is looked up by the client's raw address
 * and port and leaves for the peer by one {@code sendto} on the relay socket, straight from
 * this memory; everything else (STUN, unknown clients, IPv6 clients) is copied into a ByteBuf
 * and handed to {@link TurnService} as the Netty path would, with a sink on the same listener.
 *
 * <p>Only the listener's event loop creates, reads, deregisters and closes the dup.
 */
final class NativeListenerReader extends NativeDupHandle {
  private static final Logger log = LoggerFactory.getLogger(NativeListenerReader.class);
  /** Datagrams per {@code recvmmsg}. */
  static final int SLOTS = 16;
  /** Datagrams per wake-up at most (level-triggered: more wake the loop again). */
  static final int MAX_PER_WAKE = 64;
  private static final int MAX = TurnServer.MAX_DATAGRAM;
  private static final int MMSG = 64;
  private static final int IOV = 16;
  private static final int NAME = 32;
  private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

  private final TurnService service;
  private final EpollDatagramChannel listener;
  private final InetSocketAddress local;
  private final UdpClientSink.Flusher flusher;
  private final NativeClientBatch batch;
  private final MemorySegment mem;
  private final MemorySegment peerName;
  private final MemoryAddress peerNameAddr;
  private final MemoryAddress vec;
  private final long iovBase;
  private final long nameBase;
  private final long dataBase;
  private final MemoryAddress[] payloadAddr = new MemoryAddress[SLOTS];
  /** Allocations of IPv4 clients by (address << 16 | port); closed ones leave on a miss or a clean-up. */
  private final LongObjectHashMap<Allocation> byClient = new LongObjectHashMap<>();
  private int cleanAt = 1024;

  private NativeListenerReader(TurnService service, EpollDatagramChannel listener, int dupFd, NativeClientBatch batch) {
    super(dupFd, (IoEventLoop) listener.eventLoop());
    this.service = service;
    this.listener = listener;
    this.local = (InetSocketAddress) listener.localAddress();
    this.flusher = new UdpClientSink.Flusher(listener);
    this.batch = batch;
    ResourceScope scope = ResourceScope.newImplicitScope();
    this.iovBase = (long) SLOTS * MMSG;
    this.nameBase = iovBase + (long) SLOTS * IOV;
    this.dataBase = nameBase + (long) SLOTS * NAME;
    this.mem = MemorySegment.allocateNative(dataBase + (long) SLOTS * MAX, 64, scope);
    this.peerName = MemorySegment.allocateNative(NAME + 8, 8, scope);
    this.peerNameAddr = peerName.address();
    MemoryAddress base = mem.address();
    for (int i = 0; i < SLOTS; i++) {
      long m = (long) i * MMSG;
      long iov = iovBase + (long) i * IOV;
      MemoryAccess.setLongAtOffset(mem, m, base.addOffset(nameBase + (long) i * NAME).toRawLongValue());
      MemoryAccess.setLongAtOffset(mem, m + 16, base.addOffset(iov).toRawLongValue());
      MemoryAccess.setLongAtOffset(mem, m + 24, 1);
      MemoryAccess.setLongAtOffset(mem, iov, base.addOffset(dataBase + (long) i * MAX).toRawLongValue());
      MemoryAccess.setLongAtOffset(mem, iov + 8, MAX);
      payloadAddr[i] = base.addOffset(dataBase + (long) i * MAX + 4);
    }
    this.vec = base;
  }

  /**
   * Takes over reading {@code listener} (bound, auto-read off); must run on its event loop.
   * False, touching nothing, when it cannot (the caller turns auto-read on).
   */
  static boolean attach(TurnService service, EpollDatagramChannel listener) {
    if (!(listener.eventLoop() instanceof IoEventLoop) || !listener.eventLoop().inEventLoop() || !listener.isOpen()) {
      return false;
    }
    int dup = NativeIo.dup(listener.fd().intValue());
    if (dup < 0) {
      return false;
    }
    NativeListenerReader reader = new NativeListenerReader(service, listener, dup,
        new NativeClientBatch(listener, service.metrics()));
    reader.start(listener, () -> { });
    return true;
  }

  @Override
  public void handle(IoRegistration registration, IoEvent event) {
    int total = 0;
    while (!closed() && total < MAX_PER_WAKE) {
      for (int i = 0; i < SLOTS; i++) {
        MemoryAccess.setIntAtOffset(mem, (long) i * MMSG + 8, NAME); // msg_namelen in/out
      }
      int n = NativeIo.recvmmsg(fd().intValue(), vec, SLOTS, NativeIo.MSG_DONTWAIT);
      if (n <= 0) {
        return;
      }
      for (int i = 0; i < n && i < SLOTS; i++) {
        try {
          onDatagram(i);
        } catch (RuntimeException e) { // never out of the event loop: the datagram is lost
          service.metrics().malformed.increment();
          log.debug("UDP listener {}: {}", local, e.toString());
        }
      }
      total += n;
      if (n < SLOTS) {
        return;
      }
    }
  }

  private void onDatagram(int i) {
    long m = (long) i * MMSG;
    int length = MemoryAccess.getIntAtOffset(mem, m + 56); // msg_len
    int flags = MemoryAccess.getIntAtOffset(mem, m + 48); // msg_flags
    if ((flags & NativeIo.MSG_TRUNC) != 0 || length < 0 || length > MAX) { // longer than we read: malformed
      service.metrics().malformed.increment();
      return;
    }
    long name = nameBase + (long) i * NAME;
    int nameLen = MemoryAccess.getIntAtOffset(mem, m + 8);
    int family = nameLen >= 16 ? MemoryAccess.getShortAtOffset(mem, name) & 0xFFFF : -1;
    boolean v4 = family == NativeIo.AF_INET || (family == NativeIo.AF_INET6 && nameLen >= 28
        && MemoryAccess.getLongAtOffset(mem, name + 8) == 0 && MemoryAccess.getIntAtOffset(mem, name + 16, BE) == 0xFFFF);
    long data = dataBase + (long) i * MAX;
    if (v4 && length >= 4 && (MemoryAccess.getByteAtOffset(mem, data) & 0xC0) == 0x40) {
      int ip = MemoryAccess.getIntAtOffset(mem, name + (family == NativeIo.AF_INET ? 4 : 20), BE);
      int port = MemoryAccess.getShortAtOffset(mem, name + 2, BE) & 0xFFFF;
      long key = (ip & 0xFFFFFFFFL) << 16 | port;
      Allocation a = byClient.get(key);
      if (a != null && a.isClosed()) {
        byClient.remove(key);
        a = null;
      }
      if (a == null) {
        InetSocketAddress client = sender(name, family, nameLen);
        a = client == null ? null : service.allocations().get(new FiveTuple(client, local, FiveTuple.Transport.UDP));
        if (a != null) {
          remember(key, a);
        }
      }
      if (a != null) {
        onChannelData(a, i, data, length);
        return;
      }
    }
    slowPath(i, name, family, nameLen, data, length);
  }

  /** RFC 8656 §12.6 for ChannelData in slot {@code i} from the allocation's client. */
  private void onChannelData(Allocation a, int i, long data, int length) {
    if (a.relay() == null) {
      return;
    }
    int number = MemoryAccess.getShortAtOffset(mem, data, BE) & 0xFFFF;
    int dataLength = MemoryAccess.getShortAtOffset(mem, data + 2, BE) & 0xFFFF;
    // "if the UDP datagram is too short to contain the claimed length of the ChannelData message,
    //  then the message is silently discarded."
    if (length < 4 + dataLength) {
      service.metrics().malformed.increment();
      return;
    }
    ChannelBinding binding = service.admitChannelData(a, number, dataLength);
    if (binding == null) {
      return;
    }
    Object reader = a.nativeRelay();
    // a relay read natively on another loop (a client re-hashed to another SO_REUSEPORT listener)
    // takes the channel path: its descriptor may only be used by its own loop
    if (reader instanceof NativeRelayReader && ((NativeRelayReader) reader).usableHere()) {
      long sent = ((NativeRelayReader) reader).sendTo(payloadAddr[i], dataLength, binding.peer(), peerName, peerNameAddr);
      if (sent < dataLength) { // refused (send buffer full, peer unreachable) or closed: media is loss-tolerant
        service.metrics().droppedSendFailed.increment();
        return;
      }
    } else { // the relay socket is read by Netty: send through its channel
      byte[] bytes = new byte[dataLength];
      MemorySegment.ofArray(bytes).copyFrom(mem.asSlice(data + 4, dataLength));
      a.relay().writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), binding.peer()), a.relay().voidPromise());
    }
    service.metrics().packetsToPeer.increment();
    service.metrics().bytesToPeer.add(dataLength);
  }

  /** Anything but the ChannelData fast path: copied and handled as the Netty path does. */
  private void slowPath(int i, long name, int family, int nameLen, long data, int length) {
    InetSocketAddress client = sender(name, family, nameLen);
    if (client == null) {
      service.metrics().malformed.increment();
      return;
    }
    byte[] bytes = new byte[length];
    MemorySegment.ofArray(bytes).copyFrom(mem.asSlice(data, length));
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      FiveTuple ft = new FiveTuple(client, local, FiveTuple.Transport.UDP);
      Allocation a = service.allocations().get(ft);
      if (a != null && length >= 4 && TurnService.isChannelData(buf)) {
        service.onChannelData(a, buf);
        return;
      }
      ClientSink sink = a != null ? a.client() : new UdpClientSink(listener, client, flusher, batch);
      service.onClientFrame(sink, ft, buf);
    } finally {
      buf.release();
    }
  }

  private InetSocketAddress sender(long name, int family, int nameLen) {
    int port = MemoryAccess.getShortAtOffset(mem, name + 2, BE) & 0xFFFF;
    byte[] raw;
    if (family == NativeIo.AF_INET) {
      raw = mem.asSlice(name + 4, 4).toByteArray();
    } else if (family == NativeIo.AF_INET6 && nameLen >= 28) {
      raw = mem.asSlice(name + 8, 16).toByteArray(); // an IPv4-mapped address becomes an Inet4Address
    } else {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(raw), port);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private void remember(long key, Allocation a) {
    if (byClient.size() >= cleanAt) { // drop allocations that have gone since they were remembered
      List<Long> gone = new ArrayList<>();
      for (LongObjectMap.PrimitiveEntry<Allocation> e : byClient.entries()) {
        if (e.value().isClosed()) {
          gone.add(e.key());
        }
      }
      gone.forEach(k -> byClient.remove((long) k));
      cleanAt = Math.max(1024, 2 * byClient.size());
    }
    byClient.put(key, a);
  }

  @Override
  public String toString() {
    return "UDP listener " + local;
  }
}
