package com.parchchat.testkit.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

/** A synthetic peer's self-signed ECDSA P-256 DTLS certificate and its SDP fingerprint (RFC 8122). */
public final class SynthIdentity {
  public final AsymmetricKeyParameter privateKey;
  public final byte[] certificateDer;
  /** {@code sha-256 AB:CD:...}. */
  public final String fingerprint;

  private SynthIdentity(AsymmetricKeyParameter privateKey, byte[] der) {
    this.privateKey = privateKey;
    this.certificateDer = der;
    this.fingerprint = "sha-256 " + sha256Hex(der);
  }

  public static SynthIdentity generate(SecureRandom random) {
    try {
      X9ECParameters x9 = ECNamedCurveTable.getByName("secp256r1");
      ECKeyPairGenerator gen = new ECKeyPairGenerator();
      gen.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, x9), random));
      AsymmetricCipherKeyPair kp = gen.generateKeyPair();
      X500Name name = new X500Name("CN=parch-synth-peer");
      long now = System.currentTimeMillis();
      X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, new BigInteger(63, random),
          new Date(now - 86_400_000L), new Date(now + 86_400_000L), name,
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(kp.getPublic()));
      AlgorithmIdentifier sig = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      AlgorithmIdentifier dig = new DefaultDigestAlgorithmIdentifierFinder().find(sig);
      return new SynthIdentity(kp.getPrivate(), b.build(new BcECContentSignerBuilder(sig, dig).build(kp.getPrivate()))
          .getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256Hex(byte[] der) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(der);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < d.length; i++) {
        if (i > 0) {
          sb.append(':');
        }
        sb.append(String.format("%02X", d[i] & 0xFF));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
