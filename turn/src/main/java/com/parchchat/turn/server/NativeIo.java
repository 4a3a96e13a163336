package com.parchchat.turn.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
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
  }

  private NativeIo() {}

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
