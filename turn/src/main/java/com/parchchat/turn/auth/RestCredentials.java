package com.parchchat.turn.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * coturn's {@code use-auth-secret} scheme ("TURN REST API", draft-uberti-behave-turn-rest):
 * username = {@code <expiry unix seconds>[:<user id>]}, password =
 * {@code base64(HMAC-SHA1(secret, username))}. The relay mints these for clients; the
 * server recomputes the password from the username, so it keeps no user table.
 */
public final class RestCredentials {
  /** coturn's default {@code rest-api-separator}. */
  public static final char SEPARATOR = ':';

  private RestCredentials() {}

  /** A username/password pair. toString hides the password. */
  public record Credentials(String username, String password) {
    @Override
    public String toString() {
      return "Credentials[username=" + username + ", password=***]";
    }
  }

  public static Credentials mint(String secret, long expiryEpochSeconds, String userId) {
    String username = userId == null || userId.isEmpty()
        ? Long.toString(expiryEpochSeconds)
        : expiryEpochSeconds + String.valueOf(SEPARATOR) + userId;
    return new Credentials(username, password(secret, username));
  }

  public static String password(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  /** The expiry timestamp of a REST username, or -1 when the username has none. */
  public static long expiry(String username) {
    int sep = username.indexOf(SEPARATOR);
    String ts = sep < 0 ? username : username.substring(0, sep);
    if (ts.isEmpty() || ts.length() > 12) {
      return -1;
    }
    for (int i = 0; i < ts.length(); i++) {
      if (ts.charAt(i) < '0' || ts.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(ts);
  }

  /** The user id part (after the separator), or the whole username if there is none. */
  public static String userId(String username) {
    int sep = username.indexOf(SEPARATOR);
    return sep < 0 ? username : username.substring(sep + 1);
  }
}
