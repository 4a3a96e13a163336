package com.parchchat.sfu.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.sfu.config.SfuConfig;
import com.parchchat.sfu.srtp.SrtpProfile;
import com.parchchat.testkit.synth.SynthIdentity;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UDPTransport;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which SRTP protection profile the SFU's DTLS server picks when a client offers both, as
 * libwebrtc does (GCM listed first): a real DTLS 1.2 handshake over two loopback UDP sockets,
 * the SFU's {@link DtlsSrtpServer} against a BouncyCastle client offering both profiles. The server's preference decides (RFC 5764 §4.1.1):
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

    BothProfilesClient client = new BothProfilesClient(new BcTlsCrypto(RANDOM), clientId, serverId.fingerprint());
    DTLSTransport clientSide = new DTLSClientProtocol().connect(client, new UDPTransport(clientSocket, 1500));
    accepted.get(30, TimeUnit.SECONDS);
    clientSide.close();

    assertThat(client.chosen).isEqualTo(server.chosenProfile());
    assertThat(client.keyingMaterial).isNotNull().isEqualTo(server.keyingMaterial());
    return server.chosenProfile();
  }

  /**
   * A BouncyCastle DTLS 1.2 client offering both profiles in libwebrtc's order (GCM first); it
   * checks the server's certificate against its fingerprint, presents its own, records the
   * profile the server chose and exports that profile's keying material.
   */
  private static final class BothProfilesClient extends DefaultTlsClient {
    private final BcTlsCrypto crypto;
    private final SynthIdentity identity;
    private final Fingerprint server;
    private SrtpProfile chosen;
    private byte[] keyingMaterial;

    BothProfilesClient(BcTlsCrypto crypto, SynthIdentity identity, Fingerprint server) {
      super(crypto);
      this.crypto = crypto;
      this.identity = identity;
      this.server = server;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
      Hashtable ext = super.getClientExtensions();
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {
          SrtpProfile.AEAD_AES_128_GCM.dtlsId(), SrtpProfile.AES_CM_128_HMAC_SHA1_80.dtlsId()}, new byte[0]));
      return ext;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      int[] ids = TlsSRTPUtils.getUseSRTPExtension(serverExtensions).getProtectionProfiles();
      if (ids.length != 1) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose " + ids.length + " SRTP profiles");
      }
      for (SrtpProfile p : SrtpProfile.values()) {
        if (p.dtlsId() == ids[0]) {
          chosen = p;
        }
      }
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
          Certificate chain = serverCertificate.getCertificate();
          if (chain == null || chain.isEmpty() || !server.matches(chain.getCertificateAt(0).getEncoded())) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "server certificate does not match its fingerprint");
          }
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
          Certificate chain = new Certificate(new TlsCertificate[] {new BcTlsCertificate(crypto, identity.certificateDer)});
          return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey, chain,
              SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keyingMaterial = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, chosen.keyingMaterialLength());
    }
  }
}
