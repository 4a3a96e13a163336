package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;

/**
 * {@link RxStamps} through libc's {@code ioctl(fd, SIOCGSTAMPNS, struct timespec *)} (socket(7)):
 * the first call on a socket turns kernel timestamping on for it (and the host's receive path
 * starts stamping every incoming packet); after each receive the call returns the stamp of the
 * datagram just read. The descriptor of a NIO channel comes from {@code sun.nio.ch.SelChImpl},
 * the interface every JDK selectable channel implements. Loaded by name from
 * {@link RxStamps#load()}; the constructor fails (and the caller falls back) when the JVM lacks
 * {@link RxStamps#JVM_FLAGS} or the kernel gives no plausible stamp on a loopback self-test.
 */
final class ForeignRxStamps implements RxStamps {
  /** linux/sockios.h: SIOCGSTAMPNS_OLD, a struct timespec of two longs on 64-bit. */
  private static final long SIOCGSTAMPNS = 0x8907L;

  private final MethodHandle ioctl;
  private final Method fdVal;
  /**
   * The self-test's receiving socket, kept open: while one socket has timestamping on, the kernel
   * keeps stamping every incoming packet (turning it on again after the last one closed is
   * deferred work, so the first datagrams of a new socket could go unstamped).
   */
  private DatagramChannel keeper;

  ForeignRxStamps() throws ReflectiveOperationException, IOException {
    fdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
    MemoryAddress symbol = CLinker.systemLookup().lookup("ioctl")
        .orElseThrow(() -> new IllegalStateException("libc has no ioctl"));
    // ioctl is variadic: the third argument is passed as a variadic pointer
    ioctl = CLinker.getInstance().downcallHandle(symbol,
        MethodType.methodType(int.class, int.class, long.class, MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG, CLinker.asVarArg(CLinker.C_POINTER)));
    selfTest();
  }

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public String unavailableReason() {
    return "";
  }

  @Override
  public int enable(DatagramChannel channel) throws IOException {
    int fd;
    try {
      fd = (Integer) fdVal.invoke(channel);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IOException("no file descriptor for " + channel, e);
    }
    // the first SIOCGSTAMPNS sets SOCK_TIMESTAMP on the socket; no datagram yet, so it fails with ENOENT
    reader().lastStamp(fd);
    return fd;
  }

  @Override
  public Reader reader() {
    MemorySegment ts = MemorySegment.allocateNative(16, 8, ResourceScope.newImplicitScope());
    MemoryAddress at = ts.address();
    return fd -> {
      int r;
      try {
        r = (int) ioctl.invokeExact(fd, SIOCGSTAMPNS, at);
      } catch (Throwable t) {
        throw new IllegalStateException("ioctl(SIOCGSTAMPNS) failed", t);
      }
      if (r != 0) {
        return -1;
      }
      return MemoryAccess.getLongAtOffset(ts, 0) * 1_000_000_000L + MemoryAccess.getLongAtOffset(ts, 8);
    };
  }

  /**
   * One datagram over loopback: its stamp must lie between the realtime clock before the send and
   * right after it returned (loopback delivery happens inside the send call), else the kernel's
   * stamps are not what this class promises.
   */
  private void selfTest() throws IOException {
    DatagramChannel rx = DatagramChannel.open();
    keeper = rx;
    try (DatagramChannel tx = DatagramChannel.open()) {
      rx.bind(new InetSocketAddress("127.0.0.1", 0));
      int fd = enable(rx);
      Reader reader = reader();
      for (int attempt = 0; ; attempt++) {
        long before = RxStamps.realtimeNanos();
        tx.send(ByteBuffer.wrap(new byte[] {1}), rx.getLocalAddress());
        long sent = RxStamps.realtimeNanos();
        ByteBuffer bb = ByteBuffer.allocate(16);
        rx.receive(bb); // blocking: the datagram is already queued
        long stamp = reader.lastStamp(fd);
        if (stamp >= before && stamp <= sent) {
          return; // keeper stays open
        }
        // the kernel turns stamping on through deferred work: the first datagrams may be unstamped
        // (then the kernel answers with the time of the call); retry for up to ~2 s
        if (attempt == 2000) {
          rx.close();
          throw new IllegalStateException("kernel receive stamp " + stamp + " not within the send call ["
              + before + ", " + sent + "]");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
      }
    }
  }
}
