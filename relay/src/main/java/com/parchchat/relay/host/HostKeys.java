package com.parchchat.relay.host;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 public keys (RFC 8032) as hosts present them: base64 of the raw 32-byte key, or of its
 * X.509 SubjectPublicKeyInfo (RFC 8410, 44 bytes). Stored raw; verified with the JDK's own
 * Ed25519 {@link Signature}.
 */
public final class HostKeys {
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }. */
  private static final byte[] X509_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  public static final int RAW_LENGTH = 32;

  private HostKeys() {}

  /**
   * Parses a base64 (standard or URL alphabet) raw or X.509 Ed25519 key into its 32 raw bytes.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static byte[] parseRaw(String base64) {
    if (base64 == null || base64.isBlank() || base64.length() > 200) {
      throw new IllegalArgumentException("publicKey must be base64 of a raw or X.509 Ed25519 public key");
    }
    byte[] bytes;
    try {
      bytes = base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(base64.strip())
          : Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("publicKey is not valid base64");
    }
    byte[] raw;
    if (bytes.length == RAW_LENGTH) {
      raw = bytes;
    } else if (bytes.length == X509_PREFIX.length + RAW_LENGTH
        && Arrays.equals(Arrays.copyOf(bytes, X509_PREFIX.length), X509_PREFIX)) {
      raw = Arrays.copyOfRange(bytes, X509_PREFIX.length, bytes.length);
    } else {
      throw new IllegalArgumentException("publicKey must be a 32-byte Ed25519 key or its 44-byte X.509 form");
    }
    toPublicKey(raw);
    return raw;
  }

  /** The JDK key object for a raw key; rejects bytes that are not a valid curve point encoding. */
  public static PublicKey toPublicKey(byte[] raw) {
    byte[] der = new byte[X509_PREFIX.length + RAW_LENGTH];
    System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
    System.arraycopy(raw, 0, der, X509_PREFIX.length, RAW_LENGTH);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("publicKey is not a valid Ed25519 key");
    }
  }

  /** True if {@code signature} is a valid Ed25519 signature by {@code raw} over {@code message}. */
  public static boolean verify(byte[] raw, byte[] message, byte[] signature) {
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(toPublicKey(raw));
      v.update(message);
      return v.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
