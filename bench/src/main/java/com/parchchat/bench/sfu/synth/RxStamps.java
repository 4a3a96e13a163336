package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.time.Instant;

/**
 * Kernel receive timestamps of datagrams read from NIO {@link DatagramChannel}s: the
 * {@code CLOCK_REALTIME} time at which the kernel took the datagram in ({@code SIOCGSTAMPNS}, see
 * socket(7)), not the time a user-space thread got round to reading it. On loopback the kernel
 * stamps a datagram when the sender's send system call hands it to the loopback device
 * ({@code netif_rx}), so the stamp is the moment the copy left its sender — independent of how long
 * the receiving socket's thread took to wake up and read.
 *
 * <p>Java has no API for it: {@link #load()} uses the JDK 17 incubating foreign linker
 * ({@code ioctl} from libc) and the NIO channel's file descriptor, which need the JVM flags in
 * {@link #JVM_FLAGS}. Without them {@link #load()} returns an unavailable instance that says why,
 * and the caller falls back to user-space receive times.
 */
interface RxStamps {
  /** JVM flags the kernel stamps need on JDK 17. */
  String JVM_FLAGS = "--add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED"
      + " --add-exports java.base/sun.nio.ch=ALL-UNNAMED";

  /** Whether kernel stamps can be read. */
  boolean available();

  /** Why not, when {@link #available()} is false; empty otherwise. */
  String unavailableReason();

  /**
   * Turns on kernel timestamping for the socket of {@code channel} (from now on every datagram
   * entering the host's receive path is stamped) and returns its descriptor for
   * {@link Reader#lastStamp(int)}.
   *
   * @throws IOException when the descriptor cannot be had
   */
  int enable(DatagramChannel channel) throws IOException;

  /** A reader for one thread (it owns a small native buffer). */
  Reader reader();

  /** Reads the stamp of the datagram a thread received last. */
  interface Reader {
    /**
     * The kernel receive stamp of the datagram last read from socket {@code fd} (nanoseconds since
     * the epoch, {@code CLOCK_REALTIME}), or -1 if the kernel has none. Call it right after the
     * receive, on the thread that received.
     */
    long lastStamp(int fd);
  }

  /** {@code CLOCK_REALTIME} now, nanoseconds since the epoch (the kernel stamps' clock). */
  static long realtimeNanos() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** The kernel stamps if this JVM can read them, else an unavailable instance saying why. */
  static RxStamps load() {
    try {
      // by name: the class links against jdk.incubator.foreign, absent without --add-modules
      return (RxStamps) Class.forName(RxStamps.class.getPackageName() + ".ForeignRxStamps")
          .getDeclaredConstructor().newInstance();
    } catch (java.lang.reflect.InvocationTargetException e) {
      return unavailable(String.valueOf(e.getCause()));
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return unavailable(String.valueOf(e));
    }
  }

  /** An instance without stamps. */
  static RxStamps unavailable(String reason) {
    return new RxStamps() {
      @Override
      public boolean available() {
        return false;
      }

      @Override
      public String unavailableReason() {
        return reason;
      }

      @Override
      public int enable(DatagramChannel channel) throws IOException {
        throw new IOException("kernel receive stamps unavailable: " + reason);
      }

      @Override
      public Reader reader() {
        return fd -> -1;
      }
    };
  }
}
