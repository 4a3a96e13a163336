package com.parchchat.relay.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random secrets and ids. Session and reset tokens are 256 random bits (base64url); only their
 * SHA-256 (hex) is stored, so a database leak does not leak usable tokens.
 */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  /** A new bearer secret: 32 random bytes, base64url without padding (43 characters). */
  public static String newSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return B64URL.encodeToString(b);
  }

  /** A new opaque id with a readable prefix, e.g. {@code u_3kq...} (128 random bits). */
  public static String newId(String prefix) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return prefix + B64URL.encodeToString(b);
  }

  /** SHA-256 of the token's UTF-8 bytes, lower-case hex. */
  public static String hash(String token) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
