package com.parchchat.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.Data;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import com.parchchat.turn.config.TurnConfig.DataPath;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native relay read path ({@link NativeRelayReader}, {@link NativeClientBatch}) over real
 * loopback sockets — this JVM runs with the flags it needs (turn/pom.xml argLine) — plus the
 * selection between it and Netty's path, also in child JVMs without those flags.
 */
class NativeRelayPathTest {
  private final MutableClock clock = MutableClock.startingNow();
  private TurnServer server;
  private DatagramSocket peer;

  @BeforeEach
  void setUp() throws Exception {
    peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer.setSoTimeout(3000);
  }

  @AfterEach
  void tearDown() {
    peer.close();
    if (server != null) {
      server.close();
    }
  }

  private TurnTestClient client() throws IOException {
    Credentials c = RestCredentials.mint(TestServers.SECRET, clock.millis() / 1000 + 3600, "alice");
    return new TurnTestClient(TestServers.address(server), c.username(), c.password());
  }

  private InetSocketAddress peerAddress() {
    return (InetSocketAddress) peer.getLocalSocketAddress();
  }

  private void peerSend(byte[] data, InetSocketAddress to) throws IOException {
    peer.send(new DatagramPacket(data, data.length, to));
  }

  private static InetSocketAddress allocate(TurnTestClient client) throws Exception {
    StunMessage alloc = client.allocate();
    assertThat(alloc.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    return alloc.get(XorRelayedAddress.class).address();
  }

  private static void permit(TurnTestClient client, InetSocketAddress peer) throws Exception {
    assertThat(client.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peer)).messageClass())
        .isEqualTo(StunClass.SUCCESS_RESPONSE);
  }

  @Test
  void peerDatagramsReachTheClientAsDataIndicationsThenChannelData() throws Exception {
    server = TestServers.start(clock, b -> b.dataPath = DataPath.NATIVE);
    assertThat(server.nativeDataPath()).isTrue();
    try (TurnTestClient client = client()) {
      InetSocketAddress relay = allocate(client);
      permit(client, peerAddress());
      // odd lengths: the Data indication pads DATA to 4 bytes
      for (String text : List.of("a", "hello client", "0123456789abc")) {
        peerSend(text.getBytes(StandardCharsets.UTF_8), relay);
        StunMessage data = StunMessage.decode(client.receive(3000));
        assertThat(data.is(StunMethod.DATA, StunClass.INDICATION)).isTrue();
        assertThat(data.get(XorPeerAddress.class).address()).isEqualTo(peerAddress());
        assertThat(new String(data.get(Data.class).value(), StandardCharsets.UTF_8)).isEqualTo(text);
      }
      assertThat(client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4002), new XorPeerAddress(peerAddress()))
          .messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      byte[] big = new byte[NativeClientBatch.MAX_PAYLOAD]; // the largest datagram relayed
      for (int i = 0; i < big.length; i++) {
        big[i] = (byte) i;
      }
      for (byte[] payload : List.of(new byte[] {9, 8, 7}, big)) {
        peerSend(payload, relay);
        byte[] cd = client.receive(3000);
        ChannelData back = ChannelData.decode(cd, 0, cd.length);
        assertThat(back.channel()).isEqualTo(0x4002);
        assertThat(back.data()).containsExactly(payload);
      }
      // a burst larger than one sendmmsg batch arrives whole and in order
      int burst = NativeClientBatch.SLOTS * 2 + 5;
      for (int i = 0; i < burst; i++) {
        peerSend(new byte[] {(byte) (i >> 8), (byte) i}, relay);
      }
      for (int i = 0; i < burst; i++) {
        byte[] cd = client.receive(3000);
        assertThat(cd).as("datagram %d of the burst", i).isNotNull();
        assertThat(ChannelData.decode(cd, 0, cd.length).data()).containsExactly((byte) (i >> 8), (byte) i);
      }
      assertThat(server.metrics().packetsToClient.sum()).isEqualTo(3 + 2 + burst);
      assertThat(server.metrics().bytesToClient.sum()).isEqualTo(1 + 12 + 13 + 3 + big.length + 2L * burst);
    }
  }

  @Test
  void clientChannelDataReachesThePeerAndBadOnesAreCounted() throws Exception {
    server = TestServers.start(clock, b -> b.dataPath = DataPath.NATIVE);
    try (TurnTestClient client = client()) {
      InetSocketAddress relay = allocate(client);
      // unbound channel: dropped and counted
      client.send(new ChannelData(0x4005, new byte[] {1}).encode(false));
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoChannel.sum() == 1);
      assertThat(client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4005), new XorPeerAddress(peerAddress()))
          .messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      long malformed = server.metrics().malformed.sum();
      // a ChannelData header claiming more bytes than the datagram holds
      client.send(new byte[] {0x40, 0x05, 0x00, 0x10, 1, 2});
      // a datagram longer than the listener reads
      byte[] huge = new byte[TurnServer.MAX_DATAGRAM + 100];
      huge[0] = 0x40;
      huge[1] = 0x05;
      client.send(huge);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().malformed.sum() == malformed + 2);
      for (int i = 0; i < 20; i++) {
        client.send(new ChannelData(0x4005, new byte[] {(byte) i, 42}).encode(false));
        DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
        peer.receive(got);
        assertThat(got.getSocketAddress()).isEqualTo(relay);
        assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly((byte) i, 42);
      }
      // the loop counts a datagram after its sendto returned, so the peer can have it first
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().packetsToPeer.sum() == 20
          && server.metrics().bytesToPeer.sum() == 40);
      // the peer answers over the channel; a Refresh still works on the same listener
      peerSend(new byte[] {3}, relay);
      byte[] cd = client.receive(3000);
      assertThat(ChannelData.decode(cd, 0, cd.length).data()).containsExactly(3);
      assertThat(client.authed(StunMethod.REFRESH).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
  }

  @Test
  void peerWithoutPermissionIsDroppedAndCounted() throws Exception {
    server = TestServers.start(clock, b -> b.dataPath = DataPath.NATIVE);
    try (TurnTestClient client = client()) {
      InetSocketAddress relay = allocate(client);
      peerSend(new byte[] {1, 2, 3}, relay);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoPermission.sum() == 1);
      assertThat(server.metrics().packetsToClient.sum()).isZero();
      // once permitted, the same peer gets through
      permit(client, peerAddress());
      peerSend(new byte[] {4}, relay);
      StunMessage data = StunMessage.decode(client.receive(3000));
      assertThat(data.get(Data.class).value()).containsExactly(4);
    }
  }

  @Test
  void datagramLongerThanTheBufferIsDroppedAndCountedNotTruncated() throws Exception {
    server = TestServers.start(clock, b -> b.dataPath = DataPath.NATIVE);
    try (TurnTestClient client = client()) {
      InetSocketAddress relay = allocate(client);
      permit(client, peerAddress());
      long malformedBefore = server.metrics().malformed.sum();
      peerSend(new byte[NativeClientBatch.MAX_PAYLOAD + 1], relay);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().malformed.sum() == malformedBefore + 1);
      peerSend(new byte[] {5, 6}, relay); // the reader goes on
      StunMessage data = StunMessage.decode(client.receive(3000));
      assertThat(data.get(Data.class).value()).containsExactly(5, 6);
      assertThat(server.metrics().packetsToClient.sum()).isEqualTo(1);
    }
  }

  @Test
  void bandwidthCapDropsAndCountsOnTheNativePath() throws Exception {
    server = TestServers.start(clock, b -> {
      b.dataPath = DataPath.NATIVE;
      b.maxBps = 1000;
    });
    try (TurnTestClient client = client()) {
      InetSocketAddress relay = allocate(client);
      permit(client, peerAddress());
      for (int i = 0; i < 5; i++) {
        peerSend(new byte[600], relay); // the clock stands still: the bucket holds one second's worth
      }
      await().atMost(Duration.ofSeconds(5)).until(() ->
          server.metrics().packetsToClient.sum() + server.metrics().droppedBandwidth.sum() == 5);
      assertThat(server.metrics().droppedBandwidth.sum()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void expiryClosesTheRelaySocketAndFreesItsPort() throws Exception {
    server = TestServers.start(clock, b -> b.dataPath = DataPath.NATIVE);
    InetSocketAddress relay;
    try (TurnTestClient client = client()) {
      relay = allocate(client);
      permit(client, peerAddress());
      peerSend(new byte[] {1}, relay);
      assertThat(client.receive(3000)).isNotNull();
    }
    clock.advance(Duration.ofSeconds(601));
    server.service().sweep(); // from this thread: the relay channel and its reader close on their loop
    assertThat(server.service().allocations().count()).isZero();
    // the port is free only once both the channel's descriptor and the reader's dup are closed
    await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
      try (DatagramSocket s = new DatagramSocket(relay)) {
        return s.isBound();
      }
    });
  }

  @Test
  void nettyPathStillRelaysWhenChosen() throws Exception {
    server = TestServers.start(clock, b -> b.dataPath = DataPath.NETTY);
    assertThat(server.nativeDataPath()).isFalse();
    try (TurnTestClient client = client()) {
      InetSocketAddress relay = allocate(client);
      permit(client, peerAddress());
      peerSend("via netty".getBytes(StandardCharsets.UTF_8), relay);
      StunMessage data = StunMessage.decode(client.receive(3000));
      assertThat(new String(data.get(Data.class).value(), StandardCharsets.UTF_8)).isEqualTo("via netty");
      assertThat(client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4003), new XorPeerAddress(peerAddress()))
          .messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      peerSend(new byte[] {7}, relay);
      byte[] cd = client.receive(3000);
      assertThat(ChannelData.decode(cd, 0, cd.length).data()).containsExactly(7);
    }
  }

  @Test
  void selectionFollowsTheConfigInThisJvm() {
    assertThat(DataPathSupport.unavailableReason()).isNull(); // the test JVM has the flags
    assertThat(DataPathSupport.useNative(DataPath.AUTO, true)).isTrue();
    assertThat(DataPathSupport.useNative(DataPath.NATIVE, true)).isTrue();
    assertThat(DataPathSupport.useNative(DataPath.NETTY, true)).isFalse();
    assertThat(DataPathSupport.useNative(DataPath.AUTO, false)).isFalse();
    assertThatThrownBy(() -> DataPathSupport.useNative(DataPath.NATIVE, false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("data-path native");
  }

  @Test
  void withoutTheJvmFlagsAutoFallsBackAndNativeIsRefused() throws Exception {
    assertThat(probe(List.of(), "auto")).contains("auto=netty").contains("--add-modules jdk.incubator.foreign");
    assertThat(probe(List.of("--add-modules", "jdk.incubator.foreign"), "auto"))
        .contains("auto=netty").contains("--enable-native-access=ALL-UNNAMED");
    assertThat(probe(List.of(), "native")).contains("refused: data-path native");
    assertThat(probe(List.of("--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED"), "auto"))
        .contains("auto=native");
  }

  /** Runs {@link DataPathProbe} in a child JVM with {@code jvmFlags}; returns its output. */
  private static String probe(List<String> jvmFlags, String mode) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DataPathProbe.class.getName(), mode));
    Path out = Files.createTempFile("datapath-probe", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("probe JVM did not finish");
      }
      return Files.readString(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Entry point of the child JVM: prints the selection for its mode. */
  public static final class DataPathProbe {
    public static void main(String[] args) {
      DataPath mode = DataPath.parse("data-path", args[0]);
      try {
        boolean useNative = DataPathSupport.useNative(mode, true);
        System.out.println(args[0] + "=" + (useNative ? "native" : "netty") + " reason: "
            + DataPathSupport.unavailableReason());
      } catch (IllegalStateException e) {
        System.out.println("refused: " + e.getMessage());
      }
    }
  }
}
