package com.parchchat.sfu.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
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

/**
 * The SFU's self-signed ECDSA P-256 certificate for DTLS (RFC 8827 §6.5: WebRTC endpoints use
 * self-signed certificates authenticated by the SDP fingerprint). Generated once per process.
 */
public final class DtlsIdentity {
  private final AsymmetricKeyParameter privateKey;
  private final byte[] certificateDer;
  private final Fingerprint fingerprint;

  private DtlsIdentity(AsymmetricKeyParameter privateKey, byte[] certificateDer) {
    this.privateKey = privateKey;
    this.certificateDer = certificateDer;
    this.fingerprint = Fingerprint.of("sha-256", certificateDer);
  }

  public static DtlsIdentity generate(SecureRandom random) {
    try {
      X9ECParameters x9 = ECNamedCurveTable.getByName("secp256r1");
      ECKeyPairGenerator gen = new ECKeyPairGenerator();
      gen.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, x9), random));
      AsymmetricCipherKeyPair kp = gen.generateKeyPair();
      X500Name name = new X500Name("CN=parch-sfu");
      long now = System.currentTimeMillis();
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, new BigInteger(63, random),
          new Date(now - 86_400_000L), new Date(now + 30L * 86_400_000L), name,
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(kp.getPublic()));
      AlgorithmIdentifier sigAlg = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      AlgorithmIdentifier digAlg = new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg);
      byte[] der = builder.build(new BcECContentSignerBuilder(sigAlg, digAlg).build(kp.getPrivate())).getEncoded();
      return new DtlsIdentity(kp.getPrivate(), der);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign the DTLS certificate", e);
    }
  }

  public AsymmetricKeyParameter privateKey() {
    return privateKey;
  }

  public byte[] certificateDer() {
    return certificateDer.clone();
  }

  public Fingerprint fingerprint() {
    return fingerprint;
  }
}
