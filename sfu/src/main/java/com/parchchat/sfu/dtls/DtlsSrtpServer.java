package com.parchchat.sfu.dtls;

import com.parchchat.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * DTLS 1.2 server side of DTLS-SRTP (RFC 5764): offers only ECDHE-ECDSA AEAD suites, requires a
 * client certificate whose fingerprint equals the one in the peer's SDP (RFC 8122 §5, RFC 5763
 * §5), negotiates {@code use_srtp} from our preference list (RFC 5764 §4.1.1) and exports the SRTP
 * keying material when the handshake completes (RFC 5764 §4.2).
 */
final class DtlsSrtpServer extends DefaultTlsServer {
  /** Checks the client's DER certificate; blocks until the peer's fingerprint is known. */
  interface CertificateCheck {
    boolean accept(byte[] der) throws IOException;
  }

  private final BcTlsCrypto crypto;
  private final DtlsIdentity identity;
  private final List<SrtpProfile> preferences;
  private final CertificateCheck check;
  private SrtpProfile chosen;
  private byte[] keyingMaterial;

  DtlsSrtpServer(BcTlsCrypto crypto, DtlsIdentity identity, List<SrtpProfile> preferences, CertificateCheck check) {
    super(crypto);
    this.crypto = crypto;
    this.identity = identity;
    this.preferences = preferences;
    this.check = check;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return new int[] {
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
    Certificate chain = new Certificate(new TlsCertificate[] {new BcTlsCertificate(crypto, identity.certificateDer())});
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey(),
        chain, SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    Vector<?> sigAlgs = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
    return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
        sigAlgs, null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    if (clientCertificate == null || clientCertificate.isEmpty()) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "client sent no certificate");
    }
    if (!check.accept(clientCertificate.getCertificateAt(0).getEncoded())) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "certificate does not match the SDP fingerprint");
    }
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offered == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "client did not offer use_srtp");
    }
    for (SrtpProfile p : preferences) {
      for (int id : offered.getProtectionProfiles()) {
        if (id == p.dtlsId()) {
          chosen = p;
          return;
        }
      }
    }
    throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP protection profile");
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Hashtable getServerExtensions() throws IOException {
    Hashtable ext = super.getServerExtensions();
    TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {chosen.dtlsId()}, TlsUtils.EMPTY_BYTES));
    return ext;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    keyingMaterial = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, chosen.keyingMaterialLength());
  }

  SrtpProfile chosenProfile() {
    return chosen;
  }

  byte[] keyingMaterial() {
    return keyingMaterial;
  }
}
