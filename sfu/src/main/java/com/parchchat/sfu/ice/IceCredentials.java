package com.parchchat.sfu.ice;

import java.security.SecureRandom;

/**
 * The SFU's ICE username fragment and password for one session (RFC 8445 §5.3: ufrag ≥ 24 bits and
 * password ≥ 128 bits of randomness, ice-char alphabet). The password is never logged.
 */
public record IceCredentials(String ufrag, String pwd) {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  public static IceCredentials random(SecureRandom rnd) {
    return new IceCredentials(token(rnd, 8), token(rnd, 24));
  }

  private static String token(SecureRandom rnd, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "IceCredentials[ufrag=" + ufrag + "]";
  }
}
