package com.parchchat.bench.sfu.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kernel receive stamps on real loopback sockets (the JVM flags come from bench/pom.xml's surefire
 * argLine, as SynthBench's command line gives them). No timing thresholds: only orderings that hold
 * whatever the machine's load — a loopback datagram is stamped inside its send call, so its stamp
 * lies between the realtime clock read before the send and after it returned, even when it is read
 * much later.
 */
class RxStampsTest {
  private DatagramChannel rx;
  private DatagramChannel tx;
  private RxStamps stamps;

  @BeforeEach
  void open() throws Exception {
    stamps = RxStamps.load();
    rx = DatagramChannel.open();
    rx.bind(new InetSocketAddress("127.0.0.1", 0));
    tx = DatagramChannel.open();
    tx.bind(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void close() throws Exception {
    rx.close();
    tx.close();
  }

  @Test
  void availableWithTheBenchJvmFlags() {
    assertThat(stamps.available()).as(stamps.unavailableReason()).isTrue();
  }

  @Test
  void stampIsTakenInTheSendCallNotAtTheRead() throws Exception {
    int fd = stamps.enable(rx);
    RxStamps.Reader reader = stamps.reader();
    int n = 20;
    long[] before = new long[n];
    long[] after = new long[n];
    // all datagrams are queued first, then read: the later ones wait in the socket buffer, so a
    // stamp taken at the read would come after every send
    for (int i = 0; i < n; i++) {
      before[i] = RxStamps.realtimeNanos();
      tx.send(ByteBuffer.wrap(new byte[] {(byte) i}), rx.getLocalAddress());
      after[i] = RxStamps.realtimeNanos();
    }
    long lastSend = after[n - 1];
    List<Long> got = new ArrayList<>();
    ByteBuffer bb = ByteBuffer.allocate(16);
    for (int i = 0; i < n; i++) {
      bb.clear();
      rx.receive(bb); // blocking; every datagram is queued already
      long readAt = RxStamps.realtimeNanos();
      long stamp = reader.lastStamp(fd);
      int seq = bb.get(0);
      assertThat(seq).isEqualTo(i);
      assertThat(stamp).as("datagram %d", i).isBetween(before[i], after[i]);
      assertThat(stamp).isLessThanOrEqualTo(readAt);
      got.add(stamp);
    }
    assertThat(got).isSorted();
    assertThat(got.get(n - 1)).isLessThanOrEqualTo(lastSend);
  }

  @Test
  void stampsAreMonotonicPerSocketAndSeparatePerSocket() throws Exception {
    DatagramChannel rx2 = DatagramChannel.open();
    try {
      rx2.bind(new InetSocketAddress("127.0.0.1", 0));
      int fd1 = stamps.enable(rx);
      int fd2 = stamps.enable(rx2);
      RxStamps.Reader reader = stamps.reader();
      // to the first socket, then the second, then the first again: each socket's stamp is its own
      // last datagram's
      long t0 = RxStamps.realtimeNanos();
      tx.send(ByteBuffer.wrap(new byte[] {1}), rx.getLocalAddress());
      long t1 = RxStamps.realtimeNanos();
      tx.send(ByteBuffer.wrap(new byte[] {2}), rx2.getLocalAddress());
      long t2 = RxStamps.realtimeNanos();
      tx.send(ByteBuffer.wrap(new byte[] {3}), rx.getLocalAddress());
      long t3 = RxStamps.realtimeNanos();
      ByteBuffer bb = ByteBuffer.allocate(16);
      rx2.receive(bb.clear());
      long s2 = reader.lastStamp(fd2);
      rx.receive(bb.clear());
      long s1 = reader.lastStamp(fd1);
      rx.receive(bb.clear());
      long s3 = reader.lastStamp(fd1);
      assertThat(s1).isBetween(t0, t1);
      assertThat(s2).isBetween(t1, t2);
      assertThat(s3).isBetween(t2, t3);
      assertThat(s3).isGreaterThan(s1);
      // reading the stamp again without a new datagram gives the same one
      assertThat(reader.lastStamp(fd1)).isEqualTo(s3);
    } finally {
      rx2.close();
    }
  }

  @Test
  void unavailableStampsSayWhyAndRefuseSockets() {
    RxStamps none = RxStamps.unavailable("test");
    assertThat(none.available()).isFalse();
    assertThat(none.unavailableReason()).isEqualTo("test");
    assertThat(none.reader().lastStamp(3)).isEqualTo(-1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> none.enable(rx))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("test");
  }
}
