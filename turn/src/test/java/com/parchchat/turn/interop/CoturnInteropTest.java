package com.parchchat.turn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.turn.Coturn;
import com.parchchat.testkit.turn.TurnCredentials;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import com.parchchat.turn.config.TurnConfig;
import com.parchchat.turn.server.TurnServer;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.protocol.stun.StunParseException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * coturn's own test client, {@code turnutils_uclient}, against our server on loopback with
 * {@code turnutils_peer} as the peer (Debian package {@code coturn}): UDP and TCP to the
 * server, channels and Send indications, REST-secret auth ({@code -W}). Every message must
 * come back: 0 loss, received == sent. A last case shows that credentials minted per
 * coturn's scheme work on real coturn and on ours alike.
 */
class CoturnInteropTest {
  private static final String SECRET = "interop-secret";
  private static final String REALM = "parch.interop";

  private static TurnServer server;
  private static ServiceProcess peer;
  private static int peerPort;

  @BeforeAll
  static void start() throws Exception {
    int relayMin = FreePorts.udpRange(400);
    TurnConfig.Builder b = TurnConfig.builder();
    b.listeningIp = "127.0.0.1";
    b.listeningPort = FreePorts.tcpAndUdp();
    b.relayIp = "127.0.0.1";
    b.minPort = relayMin;
    b.maxPort = relayMin + 399;
    b.realm = REALM;
    b.useAuthSecret = true;
    b.staticAuthSecret = SECRET;
    b.allowLoopbackPeers = true;
    b.adminPort = -1;
    server = new TurnServer(b.build());
    peerPort = FreePorts.udp();
    peer = ServiceProcess.builder("turnutils_peer")
        .command("/usr/bin/turnutils_peer", "-L", "127.0.0.1", "-p", Integer.toString(peerPort))
        .start();
    await().atMost(Duration.ofSeconds(10)).until(() -> udpPortTaken(peerPort));
  }

  @AfterAll
  static void stop() {
    if (peer != null) {
      peer.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static boolean udpPortTaken(int port) {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  /** True when a STUN Binding request to 127.0.0.1:port gets a success response. */
  private static boolean answersBinding(int port) {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      s.setSoTimeout(500);
      byte[] req = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, StunMessage.newTransactionId()).encode();
      s.send(new DatagramPacket(req, req.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
      byte[] buf = new byte[1500];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      return StunMessage.decode(buf, 0, p.getLength()).messageClass() == StunClass.SUCCESS_RESPONSE;
    } catch (IOException | StunParseException e) {
      return false;
    }
  }

  /** Runs uclient to completion against {@code port} and returns its report. */
  private static UclientReport uclient(int port, List<String> flags) {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/turnutils_uclient"));
    cmd.addAll(flags);
    cmd.addAll(List.of("-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(port),
        "127.0.0.1"));
    try (ServiceProcess p = ServiceProcess.builder("turnutils_uclient").command(cmd).start()) {
      int exit = p.awaitExit(Duration.ofSeconds(40));
      assertThat(exit).as("uclient exit code; output:\n%s", p.tail(30)).isZero();
      return UclientReport.parse(p.output());
    }
  }

  @ParameterizedTest(name = "uclient {0}")
  @ValueSource(strings = {"udp-channels", "udp-send", "tcp-channels", "tcp-send"})
  void uclientWithRestSecretLosesNothing(String mode) {
    List<String> flags = new ArrayList<>(List.of("-W", SECRET, "-u", "interop", "-m", "4", "-n", "40", "-l", "172"));
    if (mode.startsWith("tcp")) {
      flags.add("-t");
    }
    if (mode.endsWith("send")) {
      flags.add("-s");
    }
    long before = server.metrics().packetsToPeer.sum();
    UclientReport r = uclient(server.port(), flags);
    assertThat(r.lost()).isZero();
    assertThat(r.sent()).isGreaterThanOrEqualTo(4 * 40);
    assertThat(r.received()).isEqualTo(r.sent());
    assertThat(server.metrics().packetsToPeer.sum() - before).isGreaterThanOrEqualTo(r.sent());
  }

  @Test
  void restCredentialsMintedForCoturnWorkOnCoturnAndOnOurs() {
    Instant expiry = Instant.now().plusSeconds(600);
    // minted by the test kit's independent implementation of coturn's scheme, and by ours: identical
    TurnCredentials theirs = TurnCredentials.mint(SECRET, "carol", expiry);
    Credentials ours = RestCredentials.mint(SECRET, expiry.getEpochSecond(), "carol");
    assertThat(ours.username()).isEqualTo(theirs.username());
    assertThat(ours.password()).isEqualTo(theirs.password());
    // and by common-protocol's helper, which the relay uses to mint voice credentials
    assertThat(com.parchchat.protocol.voice.TurnRestCredentials.username(expiry.getEpochSecond(), "carol"))
        .isEqualTo(ours.username());
    assertThat(com.parchchat.protocol.voice.TurnRestCredentials.password(SECRET, ours.username()))
        .isEqualTo(ours.password());

    List<String> flags = List.of("-u", ours.username(), "-w", ours.password(), "-m", "2", "-n", "30", "-l", "172");
    try (Coturn coturn = Coturn.start("127.0.0.1", "127.0.0.1", SECRET, REALM, List.of())) {
      // coturn opens its TCP listener before its UDP one: wait until it answers a UDP Binding
      await().atMost(Duration.ofSeconds(15)).until(() -> answersBinding(coturn.port()));
      UclientReport onCoturn = uclient(coturn.port(), flags);
      assertThat(onCoturn.lost()).isZero();
      assertThat(onCoturn.received()).isEqualTo(onCoturn.sent()).isPositive();
    }
    UclientReport onOurs = uclient(server.port(), flags);
    assertThat(onOurs.lost()).isZero();
    assertThat(onOurs.received()).isEqualTo(onOurs.sent()).isPositive();
  }
}
