package com.parchchat.turn.server;

import static com.parchchat.turn.server.TurnTestClient.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.Data;
import com.parchchat.protocol.stun.StunAttribute.Lifetime;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Allocation lifetime, permission (300 s) and channel (600 s) timers, driven by an injected
 * clock: no test sleeps for minutes.
 */
class TurnTimerTest {
  private final MutableClock clock = MutableClock.startingNow();
  private TurnServer server;
  private DatagramSocket peer;
  private TurnTestClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = TestServers.start(clock, b -> {});
    peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer.setSoTimeout(3000);
    Credentials c = RestCredentials.mint(TestServers.SECRET, clock.millis() / 1000 + 86_400, "alice");
    client = new TurnTestClient(TestServers.address(server), c.username(), c.password());
  }

  @AfterEach
  void tearDown() {
    client.close();
    peer.close();
    server.close();
  }

  private InetSocketAddress peerAddress() {
    return (InetSocketAddress) peer.getLocalSocketAddress();
  }

  @Test
  void allocationExpiresAfterItsLifetime() throws Exception {
    assertThat(client.allocate().get(Lifetime.class).seconds()).isEqualTo(600);
    clock.advance(Duration.ofSeconds(599));
    server.service().sweep();
    assertThat(server.service().allocations().count()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    server.service().sweep();
    assertThat(server.service().allocations().count()).isZero();
    assertThat(server.service().allocations().ports().inUse()).isZero();
    assertThat(server.metrics().allocationsExpired.sum()).isEqualTo(1);
    // nonce is stale by now too: the client retries after 438 and then sees 437
    assertThat(code(client.authed(StunMethod.REFRESH, new Lifetime(600)))).isEqualTo(437);
  }

  @Test
  void refreshExtendsAndZeroDeletes() throws Exception {
    client.allocate();
    StunMessage r = client.authed(StunMethod.REFRESH, new Lifetime(1200));
    assertThat(r.get(Lifetime.class).seconds()).isEqualTo(1200);
    assertThat(code(client.authed(StunMethod.REFRESH, new Lifetime(99_999)))).isZero();
    clock.advance(Duration.ofSeconds(1000));
    server.service().sweep();
    assertThat(server.service().allocations().count()).isEqualTo(1);
    // a short request is raised to the default; the max is capped at 3600
    assertThat(client.authed(StunMethod.REFRESH, new Lifetime(10)).get(Lifetime.class).seconds()).isEqualTo(600);
    assertThat(client.authed(StunMethod.REFRESH, new Lifetime(99_999)).get(Lifetime.class).seconds()).isEqualTo(3600);
    assertThat(client.authed(StunMethod.REFRESH, new Lifetime(0)).get(Lifetime.class).seconds()).isZero();
    assertThat(server.service().allocations().count()).isZero();
  }

  @Test
  void permissionExpiresAfter300Seconds() throws Exception {
    InetSocketAddress relay = client.allocate().get(XorRelayedAddress.class).address();
    client.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peerAddress()));
    peer.send(new DatagramPacket(new byte[] {1}, 1, relay));
    assertThat(StunMessage.decode(client.receive(3000)).get(Data.class).value()).containsExactly(1);

    clock.advance(Duration.ofSeconds(299));
    peer.send(new DatagramPacket(new byte[] {2}, 1, relay));
    assertThat(StunMessage.decode(client.receive(3000)).get(Data.class).value()).containsExactly(2);

    clock.advance(Duration.ofSeconds(2));
    peer.send(new DatagramPacket(new byte[] {3}, 1, relay));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoPermission.sum() == 1);
    server.service().sweep();
    assertThat(server.service().allocations().all().iterator().next().permissionCount()).isZero();

    // refreshing the permission restores relaying
    client.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peerAddress()));
    peer.send(new DatagramPacket(new byte[] {4}, 1, relay));
    assertThat(StunMessage.decode(client.receive(3000)).get(Data.class).value()).containsExactly(4);
  }

  @Test
  void channelBindingExpiresAfter600Seconds() throws Exception {
    client.allocate();
    client.authed(StunMethod.REFRESH, new Lifetime(3600)); // outlive the channel
    assertThat(client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000), new XorPeerAddress(peerAddress()))
        .messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    // keep the permission alive past 300 s the way a client would: re-bind at 290 s refreshes both
    clock.advance(Duration.ofSeconds(290));
    client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000), new XorPeerAddress(peerAddress()));
    client.send(new ChannelData(0x4000, new byte[] {5}).encode(false));
    DatagramPacket p = new DatagramPacket(new byte[16], 16);
    peer.receive(p);
    assertThat(p.getLength()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(601));
    client.send(new ChannelData(0x4000, new byte[] {6}).encode(false));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoChannel.sum() == 1);
    server.service().sweep();
    assertThat(server.service().allocations().all().iterator().next().channelCount()).isZero();
  }

  @Test
  void channelStopsWhenItsPermissionExpiresAndFollowsARebindAfterExpiry() throws Exception {
    InetSocketAddress relay = client.allocate().get(XorRelayedAddress.class).address();
    client.authed(StunMethod.REFRESH, new Lifetime(3600));
    client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000), new XorPeerAddress(peerAddress()));
    client.send(new ChannelData(0x4000, new byte[] {1}).encode(false));
    assertThat(peerReceive(peer)).containsExactly(1);
    peer.send(new DatagramPacket(new byte[] {2}, 1, relay));
    assertThat(channelData(client.receive(3000)).data()).containsExactly(2);

    // the permission (300 s) ends before the channel (600 s): both directions stop
    clock.advance(Duration.ofSeconds(301));
    client.send(new ChannelData(0x4000, new byte[] {3}).encode(false));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoPermission.sum() == 1);
    peer.send(new DatagramPacket(new byte[] {4}, 1, relay));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoPermission.sum() == 2);

    // a new permission for the peer's address brings the channel back
    client.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peerAddress()));
    client.send(new ChannelData(0x4000, new byte[] {5}).encode(false));
    assertThat(peerReceive(peer)).containsExactly(5);
    peer.send(new DatagramPacket(new byte[] {6}, 1, relay));
    assertThat(channelData(client.receive(3000)).data()).containsExactly(6);

    // once the channel has expired its number may go to another peer, and data follows it there
    clock.advance(Duration.ofSeconds(601));
    try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      other.setSoTimeout(3000);
      assertThat(client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000),
          new XorPeerAddress((InetSocketAddress) other.getLocalSocketAddress())).messageClass())
          .isEqualTo(StunClass.SUCCESS_RESPONSE);
      client.send(new ChannelData(0x4000, new byte[] {7}).encode(false));
      assertThat(peerReceive(other)).containsExactly(7);
      other.send(new DatagramPacket(new byte[] {8}, 1, relay));
      ChannelData back = channelData(client.receive(3000));
      assertThat(back.channel()).isEqualTo(0x4000);
      assertThat(back.data()).containsExactly(8);
    }
    assertThat(server.metrics().packetsToPeer.sum()).isEqualTo(3);
    assertThat(server.metrics().packetsToClient.sum()).isEqualTo(3);
  }

  private static byte[] peerReceive(DatagramSocket socket) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[64], 64);
    socket.receive(p);
    return java.util.Arrays.copyOf(p.getData(), p.getLength());
  }

  private static ChannelData channelData(byte[] datagram) throws Exception {
    return ChannelData.decode(datagram, 0, datagram.length);
  }
}
