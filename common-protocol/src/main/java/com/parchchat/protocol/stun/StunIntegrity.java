package com.parchchat.protocol.stun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys and checks for MESSAGE-INTEGRITY (RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256
 * (§14.6) and FINGERPRINT (§14.7), shared by the TURN server and the SFU's ICE-lite.
 *
 * <p>Keys (RFC 8489 §9.1.1 short-term, §9.2.2 long-term):
 * <ul>
 *   <li>short-term (ICE): {@code key = OpaqueString(password)} as UTF-8;
 *   <li>long-term: {@code key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password))},
 *       or SHA-256 of the same string when PASSWORD-ALGORITHM is SHA-256.
 * </ul>
 * Password preparation follows SASLprep (RFC 4013: "mapped to nothing" characters removed,
 * non-ASCII spaces mapped to SPACE, NFKC), which is what the RFC 5769 long-term sample
 * uses; for the ASCII passwords of coturn's REST scheme it is the identity.
 *
 * <p>Comparisons are constant-time. Keys are never logged.
 */
public final class StunIntegrity {
  static final String HMAC_SHA1 = "HmacSHA1";
  static final String HMAC_SHA256 = "HmacSHA256";
  /** XOR constant of FINGERPRINT: the ASCII bytes "STUN". */
  public static final int FINGERPRINT_XOR = 0x5354554E;

  private static final ThreadLocal<Mac> SHA1 = ThreadLocal.withInitial(() -> mac(HMAC_SHA1));
  private static final ThreadLocal<Mac> SHA256 = ThreadLocal.withInitial(() -> mac(HMAC_SHA256));

  private StunIntegrity() {}

  /** The result of checking one message against one key. */
  public enum Result {
    /** The integrity attribute is present and matches. */
    VALID,
    /** No MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 in the message. */
    ABSENT,
    /** Present but wrong (bad key or tampered bytes). */
    INVALID
  }

  public static byte[] shortTermKey(String password) {
    return saslPrep(password).getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] longTermKey(String username, String realm, String password) {
    return digest("MD5", username + ":" + saslPrep(realm) + ":" + saslPrep(password));
  }

  public static byte[] longTermKeySha256(String username, String realm, String password) {
    return digest("SHA-256", username + ":" + saslPrep(realm) + ":" + saslPrep(password));
  }

  /** USERHASH value, RFC 8489 §14.4: SHA-256(OpaqueString(username) ":" OpaqueString(realm)). */
  public static byte[] userhash(String username, String realm) {
    return digest("SHA-256", saslPrep(username) + ":" + saslPrep(realm));
  }

  /** Simplified SASLprep (RFC 4013 §2.1–2.2): enough for the RFC 5769 sample and for ASCII. */
  public static String saslPrep(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isMappedToNothing(c)) {
        continue;
      }
      sb.append(Character.isSpaceChar(c) && c != ' ' ? ' ' : c);
    }
    return Normalizer.normalize(sb, Normalizer.Form.NFKC);
  }

  private static boolean isMappedToNothing(char c) {
    return c == '\u00AD' || c == '\u034F' || c == '\u1806' || (c >= '\u180B' && c <= '\u180D')
        || (c >= '\u200B' && c <= '\u200D') || c == '\u2060' || (c >= '\uFE00' && c <= '\uFE0F') || c == '\uFEFF';
  }

  /**
   * Checks MESSAGE-INTEGRITY-SHA256 if present, else MESSAGE-INTEGRITY (RFC 8489 §9.2.4
   * lets a server accept either). With the SHA-256 variant, {@code key} must be the key for
   * the negotiated password algorithm.
   */
  public static Result check(StunMessage m, byte[] key) {
    if (m.integritySha256Offset() >= 0) {
      return verify(m, key, m.integritySha256Offset(), HMAC_SHA256) ? Result.VALID : Result.INVALID;
    }
    if (m.integrityOffset() >= 0) {
      return verify(m, key, m.integrityOffset(), HMAC_SHA1) ? Result.VALID : Result.INVALID;
    }
    return Result.ABSENT;
  }

  /** True when MESSAGE-INTEGRITY (HMAC-SHA1) is present and matches {@code key}. */
  public static boolean verifyMessageIntegrity(StunMessage m, byte[] key) {
    return m.integrityOffset() >= 0 && verify(m, key, m.integrityOffset(), HMAC_SHA1);
  }

  /** True when MESSAGE-INTEGRITY-SHA256 is present and matches {@code key}. */
  public static boolean verifyMessageIntegritySha256(StunMessage m, byte[] key) {
    return m.integritySha256Offset() >= 0 && verify(m, key, m.integritySha256Offset(), HMAC_SHA256);
  }

  /** True when FINGERPRINT is present and matches the bytes before it. */
  public static boolean verifyFingerprint(StunMessage m) {
    int at = m.fingerprintOffset();
    if (at < 0) {
      return false;
    }
    byte[] raw = m.raw();
    CRC32 crc = new CRC32();
    crc.update(raw, 0, 2);
    int len = at - StunMessage.HEADER_LENGTH + 8;
    crc.update(len >>> 8);
    crc.update(len);
    crc.update(raw, 4, at - 4);
    return ((int) crc.getValue() ^ FINGERPRINT_XOR) == ByteWriter.u32(raw, at + 4);
  }

  private static boolean verify(StunMessage m, byte[] key, int at, String algorithm) {
    byte[] raw = m.raw();
    int valueLen = ByteWriter.u16(raw, at + 2);
    Mac mac = algorithm.equals(HMAC_SHA1) ? SHA1.get() : SHA256.get();
    try {
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, algorithm));
    } catch (GeneralSecurityException e) {
      return false;
    }
    int len = at - StunMessage.HEADER_LENGTH + 4 + valueLen;
    mac.update(raw, 0, 2);
    mac.update((byte) (len >>> 8));
    mac.update((byte) len);
    mac.update(raw, 4, at - 4);
    byte[] expected = mac.doFinal();
    byte[] actual = new byte[valueLen];
    System.arraycopy(raw, at + 4, actual, 0, valueLen);
    byte[] truncated = new byte[valueLen];
    System.arraycopy(expected, 0, truncated, 0, Math.min(valueLen, expected.length));
    return valueLen <= expected.length && MessageDigest.isEqual(truncated, actual);
  }

  /** HMAC over {@code data[0, len)}; the caller has already set the header length field. */
  static byte[] hmac(String algorithm, byte[] key, byte[] data, int len) {
    Mac mac = algorithm.equals(HMAC_SHA1) ? SHA1.get() : SHA256.get();
    try {
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, algorithm));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("bad HMAC key", e);
    }
    mac.update(data, 0, len);
    return mac.doFinal();
  }

  static int fingerprint(byte[] data, int len) {
    CRC32 crc = new CRC32();
    crc.update(data, 0, len);
    return (int) crc.getValue() ^ FINGERPRINT_XOR;
  }

  private static Mac mac(String algorithm) {
    try {
      return Mac.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }

  private static byte[] digest(String algorithm, String input) {
    try {
      return MessageDigest.getInstance(algorithm).digest(input.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }
}
