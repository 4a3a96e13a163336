package com.parchchat.turn.server;

import static com.parchchat.turn.server.TurnTestClient.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.ErrorCode;
import com.parchchat.protocol.stun.StunAttribute.Lifetime;
import com.parchchat.protocol.stun.StunAttribute.MessageIntegrity;
import com.parchchat.protocol.stun.StunAttribute.Nonce;
import com.parchchat.protocol.stun.StunAttribute.Realm;
import com.parchchat.protocol.stun.StunAttribute.RequestedTransport;
import com.parchchat.protocol.stun.StunAttribute.UnknownAttributes;
import com.parchchat.protocol.stun.StunAttribute.XorMappedAddress;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import com.parchchat.turn.config.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every error path of issue 6 against a real in-process server over loopback UDP. */
class TurnErrorPathTest {
  private final MutableClock clock = MutableClock.startingNow();
  private TurnServer server;

  private TurnServer start(Consumer<TurnConfig.Builder> tweak) throws Exception {
    server = TestServers.start(clock, tweak);
    return server;
  }

  private Credentials creds(String user) {
    return RestCredentials.mint(TestServers.SECRET, clock.millis() / 1000 + 3600, user);
  }

  private TurnTestClient client(String user) throws Exception {
    Credentials c = creds(user);
    return new TurnTestClient(TestServers.address(server), c.username(), c.password());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void allocateWithoutCredentialsGets401WithRealmAndNonce() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      StunMessage r = c.plain(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.UDP));
      assertThat(r.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
      assertThat(code(r)).isEqualTo(401);
      assertThat(r.get(Realm.class).value()).isEqualTo(TestServers.REALM);
      assertThat(r.get(Nonce.class).value()).isNotEmpty();
      assertThat(r.has(MessageIntegrity.class)).isFalse();
      // no amplification: the challenge is only ERROR-CODE + REALM + NONCE
      assertThat(r.toBytes().length).isLessThanOrEqualTo(20 + 24 + 16 + 36);
    }
  }

  @Test
  void wrongPasswordGets401AndCountsAuthFailure() throws Exception {
    start(b -> {});
    Credentials good = creds("alice");
    try (TurnTestClient c = new TurnTestClient(TestServers.address(server), good.username(), "not-the-password")) {
      StunMessage r = c.allocate();
      assertThat(code(r)).isEqualTo(401);
      assertThat(r.has(Realm.class)).isTrue();
      assertThat(r.has(Nonce.class)).isTrue();
    }
    assertThat(server.metrics().authFailures.sum()).isEqualTo(1);
  }

  @Test
  void expiredRestUsernameGets401() throws Exception {
    start(b -> {});
    Credentials expired = RestCredentials.mint(TestServers.SECRET, clock.millis() / 1000 - 1, "alice");
    try (TurnTestClient c = new TurnTestClient(TestServers.address(server), expired.username(), expired.password())) {
      assertThat(code(c.allocate())).isEqualTo(401);
    }
  }

  @Test
  void allocateSucceedsWithIntegrityAndAddresses() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      StunMessage r = c.allocate();
      assertThat(r.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(c.verifies(r)).isTrue();
      assertThat(r.get(XorRelayedAddress.class).address().getPort()).isBetween(45000, 46999);
      assertThat(r.get(XorMappedAddress.class).address()).isEqualTo(c.localAddress());
      assertThat(r.get(Lifetime.class).seconds()).isEqualTo(600);
    }
  }

  @Test
  void secondAllocateOnSameFiveTupleGets437ButRetransmissionGetsSameAnswer() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      c.learn(c.plain(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.UDP)));
      byte[] original = c.authedBytes(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.UDP));
      StunMessage first = c.transact(original);
      assertThat(first.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      // RFC 8656 §7.2: a retransmitted Allocate gets the same success, not 437
      StunMessage retransmitted = c.transact(original);
      assertThat(retransmitted.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(retransmitted.get(XorRelayedAddress.class)).isEqualTo(first.get(XorRelayedAddress.class));
      // a new Allocate on the same 5-tuple is a mismatch
      StunMessage again = c.transact(c.authedBytes(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.UDP)));
      assertThat(code(again)).isEqualTo(437);
    }
    assertThat(server.service().allocations().count()).isEqualTo(1);
  }

  @Test
  void refreshWithoutAllocationGets437() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      StunMessage r = c.authed(StunMethod.REFRESH, new Lifetime(600));
      assertThat(code(r)).isEqualTo(437);
      assertThat(c.verifies(r)).isTrue();
    }
  }

  @Test
  void staleNonceGets438WithFreshNonce() throws Exception {
    start(b -> b.nonceLifetimeSeconds = 60);
    try (TurnTestClient c = client("alice")) {
      assertThat(c.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      String oldNonce = c.nonce();
      clock.advance(Duration.ofSeconds(61));
      StunMessage r = c.transact(c.authedBytes(StunMethod.REFRESH, new Lifetime(600)));
      assertThat(code(r)).isEqualTo(438);
      assertThat(r.get(Realm.class).value()).isEqualTo(TestServers.REALM);
      assertThat(r.get(Nonce.class).value()).isNotEqualTo(oldNonce);
      c.learn(r);
      assertThat(c.transact(c.authedBytes(StunMethod.REFRESH, new Lifetime(600))).messageClass())
          .isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
    assertThat(server.metrics().staleNonces.sum()).isEqualTo(1);
  }

  @Test
  void otherUserOnSameFiveTupleGets441() throws Exception {
    start(b -> {});
    Credentials alice = creds("alice");
    Credentials bob = creds("bob");
    try (TurnTestClient c = new TurnTestClient(TestServers.address(server), alice.username(), alice.password())) {
      assertThat(c.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      String nonce = c.nonce();
      // same socket (same 5-tuple), valid credentials of another user
      byte[] asBob = StunMessage.builder(StunMethod.REFRESH, StunClass.REQUEST, StunMessage.newTransactionId())
          .add(new StunAttribute.Username(bob.username())).add(new Realm(TestServers.REALM)).add(new Nonce(nonce))
          .integrity(com.parchchat.protocol.stun.StunIntegrity.longTermKey(bob.username(), TestServers.REALM,
              bob.password()))
          .encode();
      assertThat(code(c.transact(asBob))).isEqualTo(441);
    }
  }

  @Test
  void tcpRequestedTransportGets442() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      assertThat(code(c.authed(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.TCP)))).isEqualTo(442);
    }
  }

  @Test
  void missingRequestedTransportGets400() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      assertThat(code(c.authed(StunMethod.ALLOCATE))).isEqualTo(400);
    }
  }

  @Test
  void unknownComprehensionRequiredAttributeGets420() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      StunMessage r = c.plain(StunMethod.BINDING, new StunAttribute.Unknown(0x7001, new byte[4]));
      assertThat(code(r)).isEqualTo(420);
      assertThat(r.get(UnknownAttributes.class).types()).containsExactly(0x7001);
    }
  }

  @Test
  void forbiddenPeersGet403() throws Exception {
    start(b -> b.allowLoopbackPeers = false);
    try (TurnTestClient c = client("alice")) {
      assertThat(c.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      for (String ip : new String[] {"127.0.0.1", "10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.1.1", "0.0.0.0",
          "224.0.0.1", "255.255.255.255", "100.64.0.1"}) {
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName(ip), 5000);
        assertThat(code(c.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peer)))).as(ip).isEqualTo(403);
      }
      InetSocketAddress loop = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5000);
      assertThat(code(c.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000), new XorPeerAddress(loop))))
          .isEqualTo(403);
      InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 5000);
      assertThat(code(c.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(v6)))).isEqualTo(443);
      InetSocketAddress publicPeer = new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 5000);
      assertThat(c.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(publicPeer)).messageClass())
          .isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
    assertThat(server.metrics().refusedPeers.sum()).isEqualTo(10);
  }

  @Test
  void userQuotaGives486() throws Exception {
    start(b -> b.userQuota = 1);
    try (TurnTestClient first = client("alice"); TurnTestClient second = client("alice");
        TurnTestClient other = client("bob")) {
      assertThat(first.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(code(second.allocate())).isEqualTo(486);
      assertThat(other.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      // freeing the first allocation frees the quota
      assertThat(first.authed(StunMethod.REFRESH, new Lifetime(0)).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(second.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
  }

  @Test
  void totalQuotaGives508() throws Exception {
    start(b -> b.totalQuota = 2);
    try (TurnTestClient a = client("a"); TurnTestClient b = client("b"); TurnTestClient c = client("c")) {
      assertThat(a.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(b.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      StunMessage r = c.allocate();
      assertThat(code(r)).isEqualTo(508);
      assertThat(r.get(ErrorCode.class).reason()).isEqualTo("Insufficient Capacity");
    }
    assertThat(server.metrics().quotaRejections.sum()).isEqualTo(1);
  }

  @Test
  void exhaustedPortRangeGives508() throws Exception {
    int port = com.parchchat.testkit.process.FreePorts.udp();
    start(b -> {
      b.minPort = port;
      b.maxPort = port;
    });
    try (TurnTestClient a = client("a"); TurnTestClient b = client("b")) {
      assertThat(a.allocate().messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(code(b.allocate())).isEqualTo(508);
    }
  }

  /**
   * EVEN-PORT with the R bit (RFC 8656 §7.2 step 8) gets an even port and a RESERVATION-TOKEN
   * for its neighbour, or 508 when no such pair is free: never a success without a token
   * (turnutils_uclient then sends a zero token for its RTCP allocation and fails with 508).
   */
  @Test
  void evenPortWithReserveBitGetsAPairWithTokenOr508() throws Exception {
    int first = com.parchchat.testkit.process.FreePorts.udpRange(3);
    int even = first % 2 == 0 ? first : first + 1;
    start(b -> {
      b.minPort = even;
      b.maxPort = even + 1;
    });
    RequestedTransport udp = new RequestedTransport(RequestedTransport.UDP);
    try (TurnTestClient rtp = client("a"); TurnTestClient rtcp = client("a"); TurnTestClient third = client("b")) {
      StunMessage r = rtp.authed(StunMethod.ALLOCATE, udp, new StunAttribute.EvenPort(true));
      assertThat(r.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(r.get(XorRelayedAddress.class).address().getPort()).isEqualTo(even);
      StunAttribute.ReservationToken token = r.get(StunAttribute.ReservationToken.class);
      assertThat(token).isNotNull();
      // the pair is taken: a second R-bit request cannot be satisfied
      assertThat(code(third.authed(StunMethod.ALLOCATE, udp, new StunAttribute.EvenPort(true)))).isEqualTo(508);
      StunMessage r2 = rtcp.authed(StunMethod.ALLOCATE, udp, token);
      assertThat(r2.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(r2.get(XorRelayedAddress.class).address().getPort()).isEqualTo(even + 1);
    }
  }

  @Test
  void evenPortWithReserveBitAtTheTopOfTheRangeGets508() throws Exception {
    int first = com.parchchat.testkit.process.FreePorts.udpRange(2);
    int even = first % 2 == 0 ? first : first + 1;
    start(b -> {
      b.minPort = even - 1;
      b.maxPort = even; // no even + 1 in the range
    });
    try (TurnTestClient c = client("a")) {
      StunMessage r = c.authed(StunMethod.ALLOCATE, new RequestedTransport(RequestedTransport.UDP),
          new StunAttribute.EvenPort(true));
      assertThat(code(r)).isEqualTo(508);
    }
  }

  @Test
  void channelBindOutOfRangeOrConflictingGets400() throws Exception {
    start(b -> {});
    try (TurnTestClient c = client("alice")) {
      c.allocate();
      InetSocketAddress p1 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5001);
      InetSocketAddress p2 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5002);
      assertThat(code(c.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x3FFF), new XorPeerAddress(p1))))
          .isEqualTo(400);
      assertThat(code(c.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000)))).isEqualTo(400);
      assertThat(c.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000), new XorPeerAddress(p1)).messageClass())
          .isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(code(c.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4000), new XorPeerAddress(p2))))
          .isEqualTo(400);
      assertThat(code(c.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4001), new XorPeerAddress(p1))))
          .isEqualTo(400);
    }
  }

  @Test
  void unauthenticatedRequestsAreRateLimitedPerIp() throws Exception {
    start(b -> {
      b.unauthRatePerSecond = 1;
      b.unauthBurst = 3;
    });
    try (TurnTestClient c = client("alice")) {
      for (int i = 0; i < 3; i++) {
        assertThat(c.plain(StunMethod.BINDING).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      }
      // the clock does not move, so the bucket stays empty: the fourth request is dropped silently
      c.send(StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, StunMessage.newTransactionId()).encode());
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedRateLimited.sum() == 1);
      assertThat(c.receive(200)).isNull();
      clock.advance(Duration.ofSeconds(1));
      assertThat(c.plain(StunMethod.BINDING).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    }
  }
}
