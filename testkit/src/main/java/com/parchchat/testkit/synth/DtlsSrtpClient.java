package com.parchchat.testkit.synth;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Locale;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
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
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * DTLS 1.2 client side of DTLS-SRTP (RFC 5764) for a synthetic peer: offers one SRTP protection
 * profile in {@code use_srtp}, presents the peer's self-signed certificate, checks the server's
 * certificate against the fingerprint from the SFU's SDP, and exports the SRTP keying material.
 */
public final class DtlsSrtpClient extends DefaultTlsClient {
  /** RFC 5764 §4.1.2 SRTP_AES128_CM_HMAC_SHA1_80. */
  public static final int SRTP_AES128_CM_SHA1_80 = 0x0001;
  /** RFC 7714 §14.2 SRTP_AEAD_AES_128_GCM. */
  public static final int SRTP_AEAD_AES_128_GCM = 0x0007;

  private final BcTlsCrypto crypto;
  private final SynthIdentity identity;
  private final String expectedFingerprintHex;
  private final int[] offered;
  private int chosen = -1;
  private byte[] keyingMaterial;

  /** A client offering {@code profile} only. */
  public DtlsSrtpClient(BcTlsCrypto crypto, SynthIdentity identity, String serverFingerprint, int profile) {
    this(crypto, identity, serverFingerprint, new int[] {profile});
  }

  /**
   * A client offering {@code offered} in that order (libwebrtc offers GCM, then AES-CM); the server's
   * choice among them is {@link #chosenProfile()}.
   */
  public DtlsSrtpClient(BcTlsCrypto crypto, SynthIdentity identity, String serverFingerprint, int... offered) {
    super(crypto);
    if (offered.length == 0) {
      throw new IllegalArgumentException("offer at least one SRTP profile");
    }
    this.crypto = crypto;
    this.identity = identity;
    String[] fp = serverFingerprint.trim().split(" ");
    if (fp.length != 2 || !fp[0].equalsIgnoreCase("sha-256")) {
      throw new IllegalArgumentException("expected a sha-256 fingerprint, got " + serverFingerprint);
    }
    this.expectedFingerprintHex = fp[1].toUpperCase(Locale.ROOT);
    this.offered = offered.clone();
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return new int[] {
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
      CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    };
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Hashtable getClientExtensions() throws IOException {
    Hashtable ext = super.getClientExtensions();
    TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(offered.clone(), new byte[0]));
    return ext;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    UseSRTPData answer = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    if (answer == null || answer.getProtectionProfiles().length != 1
        || java.util.Arrays.stream(offered).noneMatch(p -> p == answer.getProtectionProfiles()[0])) {
      throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server did not choose one of our SRTP profiles");
    }
    chosen = answer.getProtectionProfiles()[0];
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
        Certificate chain = serverCertificate.getCertificate();
        if (chain == null || chain.isEmpty()
            || !SynthIdentity.sha256Hex(chain.getCertificateAt(0).getEncoded()).equals(expectedFingerprintHex)) {
          throw new TlsFatalAlert(AlertDescription.bad_certificate, "server certificate does not match the SDP fingerprint");
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
    keyingMaterial = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeys.materialLength(chosen));
  }

  /** The profile the server chose (its DTLS id), -1 before the handshake. */
  public int chosenProfile() {
    return chosen;
  }

  public byte[] keyingMaterial() {
    return keyingMaterial;
  }
}
