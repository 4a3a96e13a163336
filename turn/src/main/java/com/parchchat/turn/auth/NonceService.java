package com.parchchat.turn.auth;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless nonces (RFC 8489 §9.2): {@code hex(expiry millis) + hex(HMAC-SHA256(serverKey,
 * expiry ‖ client IP))[0..16]}. The server remembers nothing per client; a nonce is bound
 * to the client's IP and expires after the configured lifetime (then 438 Stale Nonce).
 * The key is random per process, so a restart invalidates old nonces (clients get 438 and retry).
 */
public final class NonceService {
  /** Outcome of checking a NONCE from a request. */
  public enum Check {
    VALID,
    STALE,
    INVALID
  }

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] key = new byte[32];
  private final long lifetimeMillis;
  private final Clock clock;

  public NonceService(long lifetimeSeconds, Clock clock) {
    new SecureRandom().nextBytes(key);
    this.lifetimeMillis = lifetimeSeconds * 1000;
    this.clock = clock;
  }

  public String issue(InetAddress client) {
    long expiry = clock.millis() + lifetimeMillis;
    String ts = String.format("%016x", expiry);
    return ts + tag(ts, client);
  }

  public Check check(String nonce, InetAddress client) {
    if (nonce == null || nonce.length() != 32) {
      return Check.INVALID;
    }
    String ts = nonce.substring(0, 16);
    String expected = tag(ts, client);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        nonce.substring(16).getBytes(StandardCharsets.US_ASCII))) {
      return Check.INVALID;
    }
    long expiry;
    try {
      expiry = Long.parseUnsignedLong(ts, 16);
    } catch (NumberFormatException e) {
      return Check.INVALID;
    }
    return clock.millis() <= expiry ? Check.VALID : Check.STALE;
  }

  private String tag(String ts, InetAddress client) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(ts.getBytes(StandardCharsets.US_ASCII));
      mac.update(client.getAddress());
      byte[] out = mac.doFinal();
      return HEX.formatHex(out, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
