package com.parchchat.sfu.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * A certificate fingerprint as carried in SDP {@code a=fingerprint} (RFC 8122 §5): hash function
 * name and upper-case colon-separated hex.
 */
public record Fingerprint(String algorithm, String hex) {
  public Fingerprint {
    algorithm = algorithm.toLowerCase(Locale.ROOT);
    hex = hex.toUpperCase(Locale.ROOT);
    javaName(algorithm);
  }

  /** Computes the fingerprint of a DER certificate with the named hash. */
  public static Fingerprint of(String algorithm, byte[] der) {
    try {
      byte[] digest = MessageDigest.getInstance(javaName(algorithm)).digest(der);
      StringBuilder sb = new StringBuilder(digest.length * 3);
      for (int i = 0; i < digest.length; i++) {
        if (i > 0) {
          sb.append(':');
        }
        sb.append(String.format("%02X", digest[i] & 0xFF));
      }
      return new Fingerprint(algorithm, sb.toString());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("unsupported hash " + algorithm, e);
    }
  }

  /** Whether {@code der} hashes to this fingerprint. */
  public boolean matches(byte[] der) {
    return of(algorithm, der).hex.equals(hex);
  }

  /** The SDP attribute value, e.g. {@code sha-256 AB:CD:...}. */
  public String toSdpValue() {
    return algorithm + " " + hex;
  }

  private static String javaName(String algorithm) {
    switch (algorithm.toLowerCase(Locale.ROOT)) {
      case "sha-1":
        return "SHA-1";
      case "sha-256":
        return "SHA-256";
      case "sha-384":
        return "SHA-384";
      case "sha-512":
        return "SHA-512";
      default:
        throw new IllegalArgumentException("unsupported fingerprint hash: " + algorithm);
    }
  }
}
