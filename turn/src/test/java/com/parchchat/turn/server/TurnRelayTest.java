package com.parchchat.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.Data;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunFraming;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.protocol.stun.StunAttribute.RequestedTransport;
import com.parchchat.protocol.stun.StunAttribute.Username;
import com.parchchat.protocol.stun.StunAttribute.Realm;
import com.parchchat.protocol.stun.StunAttribute.Nonce;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunAttribute.ErrorCode;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The data path over real loopback sockets: Send/Data indications and ChannelData, UDP and TCP. */
class TurnRelayTest {
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

  private Credentials creds() {
    return RestCredentials.mint(TestServers.SECRET, clock.millis() / 1000 + 3600, "alice");
  }

  private DatagramPacket peerReceive() throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    peer.receive(p);
    return p;
  }

  private void peerSend(byte[] data, InetSocketAddress to) throws IOException {
    peer.send(new DatagramPacket(data, data.length, to));
  }

  private static byte[] sendIndication(InetSocketAddress to, byte[] data) {
    return StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, StunMessage.newTransactionId())
        .add(new XorPeerAddress(to)).add(new Data(data)).encode();
  }

  @Test
  void udpSendAndDataIndicationsThenChannelData() throws Exception {
    server = TestServers.start(clock, b -> {});
    Credentials c = creds();
    try (TurnTestClient client = new TurnTestClient(TestServers.address(server), c.username(), c.password())) {
      StunMessage alloc = client.allocate();
      InetSocketAddress relay = alloc.get(XorRelayedAddress.class).address();
      InetSocketAddress peerAddr = (InetSocketAddress) peer.getLocalSocketAddress();
      assertThat(client.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peerAddr)).messageClass())
          .isEqualTo(StunClass.SUCCESS_RESPONSE);

      // Send indication → peer
      client.send(sendIndication(peerAddr, "hello peer".getBytes(StandardCharsets.UTF_8)));
      DatagramPacket got = peerReceive();
      assertThat(new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello peer");
      assertThat(got.getSocketAddress()).isEqualTo(relay);

      // peer → Data indication
      peerSend("hello client".getBytes(StandardCharsets.UTF_8), relay);
      StunMessage data = StunMessage.decode(client.receive(3000));
      assertThat(data.is(StunMethod.DATA, StunClass.INDICATION)).isTrue();
      assertThat(data.get(XorPeerAddress.class).address()).isEqualTo(peerAddr);
      assertThat(new String(data.get(Data.class).value(), StandardCharsets.UTF_8)).isEqualTo("hello client");

      // ChannelBind, then ChannelData both ways (UDP: no padding required, 5-byte payload)
      assertThat(client.authed(StunMethod.CHANNEL_BIND, new ChannelNumber(0x4001), new XorPeerAddress(peerAddr))
          .messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      client.send(new ChannelData(0x4001, new byte[] {1, 2, 3, 4, 5}).encode(false));
      got = peerReceive();
      assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(1, 2, 3, 4, 5);
      peerSend(new byte[] {9, 8, 7}, relay);
      byte[] cd = client.receive(3000);
      ChannelData back = ChannelData.decode(cd, 0, cd.length);
      assertThat(back.channel()).isEqualTo(0x4001);
      assertThat(back.data()).containsExactly(9, 8, 7);
    }
    assertThat(server.metrics().packetsToPeer.sum()).isEqualTo(2);
    assertThat(server.metrics().packetsToClient.sum()).isEqualTo(2);

    String metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("turn_allocations 1", "turn_packets_to_peer_total 2", "turn_bytes_to_client_total 15",
        "# TYPE turn_auth_failures_total counter");
  }

  @Test
  void peerWithoutPermissionIsDropped() throws Exception {
    server = TestServers.start(clock, b -> {});
    Credentials c = creds();
    try (TurnTestClient client = new TurnTestClient(TestServers.address(server), c.username(), c.password())) {
      InetSocketAddress relay = client.allocate().get(XorRelayedAddress.class).address();
      peerSend(new byte[] {1}, relay);
      client.send(sendIndication((InetSocketAddress) peer.getLocalSocketAddress(), new byte[] {2}));
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedNoPermission.sum() == 2);
      assertThat(server.metrics().packetsToClient.sum()).isZero();
      assertThat(server.metrics().packetsToPeer.sum()).isZero();
    }
  }

  @Test
  void bandwidthCapDropsExcess() throws Exception {
    server = TestServers.start(clock, b -> b.maxBps = 1000);
    Credentials c = creds();
    try (TurnTestClient client = new TurnTestClient(TestServers.address(server), c.username(), c.password())) {
      client.allocate();
      InetSocketAddress peerAddr = (InetSocketAddress) peer.getLocalSocketAddress();
      client.authed(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peerAddr));
      for (int i = 0; i < 5; i++) { // 2000 bytes in one (frozen) instant against a 1000 B/s bucket
        client.send(sendIndication(peerAddr, new byte[400]));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().droppedBandwidth.sum() == 3);
      assertThat(server.metrics().packetsToPeer.sum()).isEqualTo(2);
    }
  }

  @Test
  void closeDeletesAllocationsAndFreesRelayPorts() throws Exception {
    server = TestServers.start(clock, b -> {});
    Credentials c = creds();
    InetSocketAddress relay;
    try (TurnTestClient client = new TurnTestClient(TestServers.address(server), c.username(), c.password())) {
      relay = client.allocate().get(XorRelayedAddress.class).address();
    }
    assertThat(server.service().allocations().count()).isEqualTo(1);
    server.close();
    assertThat(server.service().allocations().count()).isZero();
    assertThat(server.service().allocations().ports().inUse()).isZero();
    // the relayed port is free again for anyone
    try (DatagramSocket s = new DatagramSocket(relay)) {
      assertThat(s.getLocalPort()).isEqualTo(relay.getPort());
    }
    server = null;
  }

  /** TURN over TCP: RFC 8489 §6.2.2 framing, ChannelData padded to 4 bytes (RFC 8656 §12.5). */
  @Test
  void tcpClientWithPaddedChannelData() throws Exception {
    server = TestServers.start(clock, b -> {});
    Credentials c = creds();
    try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      tcp.setSoTimeout(3000);
      OutputStream out = tcp.getOutputStream();
      DataInputStream in = new DataInputStream(tcp.getInputStream());
      byte[] first = StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, StunMessage.newTransactionId())
          .add(new RequestedTransport(RequestedTransport.UDP)).encode();
      out.write(first);
      StunMessage challenge = StunMessage.decode(readFrame(in));
      assertThat(challenge.get(ErrorCode.class).code()).isEqualTo(401);
      String realm = challenge.get(Realm.class).value();
      String nonce = challenge.get(Nonce.class).value();
      byte[] key = StunIntegrity.longTermKey(c.username(), realm, c.password());
      StunMessage alloc = StunMessage.decode(tcpRequest(out, in, StunMethod.ALLOCATE, c, realm, nonce, key,
          new RequestedTransport(RequestedTransport.UDP)));
      assertThat(alloc.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      InetSocketAddress relay = alloc.get(XorRelayedAddress.class).address();
      InetSocketAddress peerAddr = (InetSocketAddress) peer.getLocalSocketAddress();
      StunMessage bound = StunMessage.decode(tcpRequest(out, in, StunMethod.CHANNEL_BIND, c, realm, nonce, key,
          new ChannelNumber(0x4002), new XorPeerAddress(peerAddr)));
      assertThat(bound.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);

      // two padded ChannelData frames in one write: the decoder must split them
      byte[] a = new ChannelData(0x4002, new byte[] {1, 2, 3, 4, 5}).encode(true);
      byte[] b = new ChannelData(0x4002, new byte[] {6}).encode(true);
      byte[] both = new byte[a.length + b.length];
      System.arraycopy(a, 0, both, 0, a.length);
      System.arraycopy(b, 0, both, a.length, b.length);
      out.write(both);
      DatagramPacket got = peerReceive();
      assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(1, 2, 3, 4, 5);
      got = peerReceive();
      assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(6);

      peerSend(new byte[] {7, 7, 7}, relay);
      byte[] frame = readFrame(in);
      assertThat(frame).hasSize(8); // 4 header + 3 data + 1 padding
      assertThat(ChannelData.decode(frame, 0, frame.length).data()).containsExactly(7, 7, 7);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.service().allocations().count() == 0);
  }

  private static byte[] tcpRequest(OutputStream out, DataInputStream in, int method, Credentials c, String realm,
      String nonce, byte[] key, com.parchchat.protocol.stun.StunAttribute... attrs) throws IOException {
    StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, StunMessage.newTransactionId())
        .add(new Username(c.username())).add(new Realm(realm)).add(new Nonce(nonce));
    for (var a : attrs) {
      b.add(a);
    }
    out.write(b.integrity(key).encode());
    return readFrame(in);
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    byte[] head = new byte[4];
    in.readFully(head);
    int len;
    try {
      len = StunFraming.frameLength(head[0], head[1], head[2], head[3]);
    } catch (com.parchchat.protocol.stun.StunParseException e) {
      throw new IOException(e);
    }
    byte[] frame = Arrays.copyOf(head, len);
    in.readFully(frame, 4, len - 4);
    return frame;
  }
}
