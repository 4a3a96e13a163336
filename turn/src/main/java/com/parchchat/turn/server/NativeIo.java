package com.parchchat.turn.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.SymbolLookup;

/**
 * The few libc calls of the native relay data path, as {@code jdk.incubator.foreign} downcalls
 * (JDK 17): no JNI-built objects, the caller passes addresses of its own native segments.
 * Loading this class fails (IllegalCallerException, NoClassDefFoundError) when the JVM was not
 * started with {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED};
 * {@link DataPathSupport} probes that and falls back to Netty's path.
 *
 * <p>errno is not readable reliably through this API in JDK 17, so every caller treats -1 as
 * "nothing (more) now" or "this datagram failed", never as fatal.
 */
final class NativeIo {
  /** {@code MSG_TRUNC}: recvfrom returns the datagram's real length even when it was cut. */
  static final int MSG_TRUNC = 0x20;
  /** {@code MSG_DONTWAIT}: never block the event loop. */
  static final int MSG_DONTWAIT = 0x40;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  private static final MethodHandle RECVFROM;
  private static final MethodHandle SENDMMSG;
  private static final MethodHandle DUP;
  private static final MethodHandle GETSOCKNAME;
  private static final MethodHandle RECVMMSG;
  private static final MethodHandle SENDTO;

  static {
    CLinker linker = CLinker.getInstance(); // restricted: needs --enable-native-access
    SymbolLookup libc = CLinker.systemLookup();
    RECVFROM = linker.downcallHandle(libc.lookup("recvfrom").orElseThrow(),
        MethodType.methodType(long.class, int.class, MemoryAddress.class, long.class, int.class,
            MemoryAddress.class, MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_LONG, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT,
            CLinker.C_POINTER, CLinker.C_POINTER));
    SENDMMSG = linker.downcallHandle(libc.lookup("sendmmsg").orElseThrow(),
        MethodType.methodType(int.class, int.class, MemoryAddress.class, int.class, int.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_INT));
    DUP = linker.downcallHandle(libc.lookup("dup").orElseThrow(),
        MethodType.methodType(int.class, int.class), FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT));
    GETSOCKNAME = linker.downcallHandle(libc.lookup("getsockname").orElseThrow(),
        MethodType.methodType(int.class, int.class, MemoryAddress.class, MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_POINTER));
    RECVMMSG = linker.downcallHandle(libc.lookup("recvmmsg").orElseThrow(),
        MethodType.methodType(int.class, int.class, MemoryAddress.class, int.class, int.class, MemoryAddress.class),
        FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_INT,
            CLinker.C_POINTER));
    SENDTO = linker.downcallHandle(libc.lookup("sendto").orElseThrow(),
        MethodType.methodType(long.class, int.class, MemoryAddress.class, long.class, int.class, MemoryAddress.class,
            int.class),
        FunctionDescriptor.of(CLinker.C_LONG, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT,
            CLinker.C_POINTER, CLinker.C_INT));
  }

  private NativeIo() {}

  /** {@code recvmmsg(2)} without a timeout: datagrams received, or -1 (none now, or an error). */
  static int recvmmsg(int fd, MemoryAddress msgvec, int vlen, int flags) {
    try {
      return (int) RECVMMSG.invokeExact(fd, msgvec, vlen, flags, MemoryAddress.NULL);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** {@code sendto(2)}: bytes sent, or -1. */
  static long sendto(int fd, MemoryAddress buf, long len, int flags, MemoryAddress addr, int addrLen) {
    try {
      return (long) SENDTO.invokeExact(fd, buf, len, flags, addr, addrLen);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Writes {@code ip}:{@code port} at {@code at} as a {@code sockaddr_in}, or as a
   * {@code sockaddr_in6} (IPv4-mapped for an IPv4 address) when the socket is AF_INET6; returns
   * its length, or -1 when an IPv6 address cannot go through an AF_INET socket. An IPv4 address
   * is read from {@code Inet4Address.hashCode()}, which is the address itself, so no array is made.
   */
  static int writeSockaddr(MemorySegment seg, long at, InetAddress ip, int port, boolean ipv6Socket) {
    java.nio.ByteOrder be = java.nio.ByteOrder.BIG_ENDIAN;
    if (ip instanceof Inet4Address && !ipv6Socket) {
      MemoryAccess.setShortAtOffset(seg, at, (short) AF_INET);
      MemoryAccess.setShortAtOffset(seg, at + 2, be, (short) port);
      MemoryAccess.setIntAtOffset(seg, at + 4, be, ip.hashCode());
      MemoryAccess.setLongAtOffset(seg, at + 8, 0);
      return 16;
    }
    if (!ipv6Socket) {
      return -1;
    }
    MemoryAccess.setShortAtOffset(seg, at, (short) AF_INET6);
    MemoryAccess.setShortAtOffset(seg, at + 2, be, (short) port);
    MemoryAccess.setIntAtOffset(seg, at + 4, 0); // flow info
    if (ip instanceof Inet4Address) {
      MemoryAccess.setLongAtOffset(seg, at + 8, 0);
      MemoryAccess.setIntAtOffset(seg, at + 16, be, 0x0000FFFF);
      MemoryAccess.setIntAtOffset(seg, at + 20, be, ip.hashCode());
      MemoryAccess.setIntAtOffset(seg, at + 24, 0);
    } else {
      byte[] raw = ip.getAddress();
      for (int k = 0; k < 16; k++) {
        MemoryAccess.setByteAtOffset(seg, at + 8 + k, raw[k]);
      }
      MemoryAccess.setIntAtOffset(seg, at + 24, ((Inet6Address) ip).getScopeId());
    }
    return 28;
  }

  /** Whether socket {@code fd} is AF_INET6 (asks the kernel; {@code scratch} holds at least 40 bytes). */
  static boolean isIpv6Socket(int fd, MemorySegment scratch) {
    MemoryAccess.setIntAtOffset(scratch, 32, 32);
    return getsockname(fd, scratch.address(), scratch.address().addOffset(32)) == 0
        && (MemoryAccess.getShortAtOffset(scratch, 0) & 0xFFFF) == AF_INET6;
  }

  /** {@code recvfrom(2)}: bytes of the datagram (more than {@code len} when cut, with MSG_TRUNC), or -1. */
  static long recvfrom(int fd, MemoryAddress buf, long len, int flags, MemoryAddress addr, MemoryAddress addrLen) {
    try {
      return (long) RECVFROM.invokeExact(fd, buf, len, flags, addr, addrLen);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** {@code sendmmsg(2)}: messages sent (from the first), or -1 when the first one failed. */
  static int sendmmsg(int fd, MemoryAddress msgvec, int vlen, int flags) {
    try {
      return (int) SENDMMSG.invokeExact(fd, msgvec, vlen, flags);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** {@code dup(2)}: a second descriptor of the same socket, or -1. */
  static int dup(int fd) {
    try {
      return (int) DUP.invokeExact(fd);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** {@code getsockname(2)}: 0 or -1. */
  static int getsockname(int fd, MemoryAddress addr, MemoryAddress addrLen) {
    try {
      return (int) GETSOCKNAME.invokeExact(fd, addr, addrLen);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
