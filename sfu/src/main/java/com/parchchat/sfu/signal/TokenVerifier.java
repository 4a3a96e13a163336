package com.parchchat.sfu.signal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.voice.SfuTokenClaims;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;

/**
 * Verifies the relay-minted SFU token (JWT, RFC 7519, HS256): signature with the shared secret,
 * {@code iss}, {@code aud}, {@code exp} (with a small clock-skew allowance), {@code iat} not in the
 * future, {@code sub} and a well-formed {@code room}; and, when the client names a room in
 * {@code join}, that it is the token's room.
 */
public final class TokenVerifier {
  /** Clock skew tolerated between relay and SFU. */
  public static final long SKEW_SECONDS = 30;
  /** Longest token accepted; real tokens are ~300 bytes. */
  public static final int MAX_TOKEN_CHARS = 4096;

  private final MACVerifier verifier;
  private final Clock clock;

  public TokenVerifier(String secret, Clock clock) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < SfuTokenClaims.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("token secret must be at least " + SfuTokenClaims.MIN_SECRET_BYTES + " bytes");
    }
    try {
      this.verifier = new MACVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable token secret", e);
    }
    this.clock = clock;
  }

  public SfuToken verify(String token, String expectedRoom) throws TokenException {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw invalid("token missing or too long");
    }
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        throw invalid("token must be signed with " + SfuTokenClaims.ALGORITHM);
      }
      if (!jwt.verify(verifier)) {
        throw invalid("bad token signature");
      }
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw invalid("token is not a JWT");
    } catch (JOSEException e) {
      throw invalid("token signature cannot be checked");
    }
    long now = clock.millis() / 1000;
    if (!SfuTokenClaims.ISSUER.equals(claims.getIssuer())) {
      throw invalid("wrong token issuer");
    }
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(SfuTokenClaims.AUDIENCE)) {
      throw invalid("token is not for the SFU");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw invalid("token has no expiry");
    }
    if (exp.getTime() / 1000 + SKEW_SECONDS < now) {
      throw new TokenException(SfuErrorReason.TOKEN_EXPIRED, "token expired");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.getTime() / 1000 > now + SKEW_SECONDS) {
      throw invalid("token issued in the future");
    }
    String sub = claims.getSubject();
    if (sub == null || sub.isBlank() || sub.length() > 128) {
      throw invalid("token has no valid subject");
    }
    String room;
    String name;
    Boolean speak;
    try {
      room = claims.getStringClaim(SfuTokenClaims.ROOM);
      name = claims.getStringClaim(SfuTokenClaims.NAME);
      speak = claims.getBooleanClaim(SfuTokenClaims.SPEAK);
    } catch (ParseException e) {
      throw invalid("token claim has the wrong type");
    }
    if (room == null || room.length() > 256 || !room.matches("[^:\\s]+:[^\\s]+")) {
      throw invalid("token has no valid room");
    }
    if (expectedRoom != null && !expectedRoom.equals(room)) {
      throw new TokenException(SfuErrorReason.TOKEN_WRONG_ROOM, "token is for another room");
    }
    if (name == null || name.isBlank()) {
      name = sub;
    }
    if (name.length() > 100) {
      name = name.substring(0, 100);
    }
    return new SfuToken(sub, room, name, speak != null && speak, exp.getTime() / 1000);
  }

  private static TokenException invalid(String m) {
    return new TokenException(SfuErrorReason.TOKEN_INVALID, m);
  }
}
