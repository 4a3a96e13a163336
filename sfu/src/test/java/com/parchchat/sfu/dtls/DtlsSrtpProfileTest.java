package com.parchchat.sfu.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.sfu.config.SfuConfig;
import com.parchchat.sfu.srtp.SrtpProfile;
import com.parchchat.testkit.synth.DtlsSrtpClient;
import com.parchchat.testkit.synth.SynthIdentity;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.UDPTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which SRTP protection profile the SFU's DTLS server picks when a client offers both, as
 * libwebrtc does (GCM listed first): a real DTLS 1.2 handshake over two loopback UDP sockets,
 * the SFU's {@link DtlsSrtpServer} against testkit's BouncyCastle {@code DtlsSrtpClient} offering both profiles. The server's preference decides (RFC 5764 §4.1.1):
 * AES-CM by default, GCM when configured first; both sides export the same keying material.
 */
class DtlsSrtpProfileTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final ExecutorService serverThread = Executors.newSingleThreadExecutor();
  private DatagramSocket serverSocket;
  private DatagramSocket clientSocket;

  @AfterEach
  void close() {
    serverThread.shutdownNow();
    if (serverSocket != null) {
      serverSocket.close();
    }
    if (clientSocket != null) {
      clientSocket.close();
    }
  }

  @Test
  void defaultPreferencePicksAesCmWhenTheClientOffersGcmFirst() throws Exception {
    assertThat(handshake(SfuConfig.DEFAULT_SRTP_PROFILES))
        .isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
  }

  @Test
  void gcmConfiguredFirstIsPickedWhenOffered() throws Exception {
    assertThat(handshake(List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80)))
        .isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
  }

  /** Runs one handshake (the client offers GCM, then AES-CM); returns the profile the server chose. */
  private SrtpProfile handshake(List<SrtpProfile> serverPreference) throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    serverSocket = new DatagramSocket(new InetSocketAddress(lo, 0));
    clientSocket = new DatagramSocket(new InetSocketAddress(lo, 0));
    serverSocket.connect(clientSocket.getLocalSocketAddress());
    clientSocket.connect(serverSocket.getLocalSocketAddress());
    serverSocket.setSoTimeout(20_000);
    clientSocket.setSoTimeout(20_000);

    SynthIdentity clientId = SynthIdentity.generate(RANDOM);
    DtlsIdentity serverId = DtlsIdentity.generate(RANDOM);
    Fingerprint expectedClient = Fingerprint.of("sha-256", clientId.certificateDer);
    DtlsSrtpServer server = new DtlsSrtpServer(new BcTlsCrypto(RANDOM), serverId, serverPreference,
        expectedClient::matches);
    Future<DTLSTransport> accepted = serverThread.submit(
        () -> new DTLSServerProtocol().accept(server, new UDPTransport(serverSocket, 1500)));

    // testkit's client, offering both profiles in libwebrtc's order (GCM first), checking the server's
    // certificate against its fingerprint and exporting the chosen profile's keying material
    DtlsSrtpClient client = new DtlsSrtpClient(new BcTlsCrypto(RANDOM), clientId, serverId.fingerprint().toSdpValue(),
        SrtpProfile.AEAD_AES_128_GCM.dtlsId(), SrtpProfile.AES_CM_128_HMAC_SHA1_80.dtlsId());
    DTLSTransport clientSide = new DTLSClientProtocol().connect(client, new UDPTransport(clientSocket, 1500));
    accepted.get(30, TimeUnit.SECONDS);
    clientSide.close();

    assertThat(client.chosenProfile()).isEqualTo(server.chosenProfile().dtlsId());
    assertThat(client.keyingMaterial()).isNotNull().isEqualTo(server.keyingMaterial());
    return server.chosenProfile();
  }
}
