package com.parchchat.relay.credentials;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.parchchat.protocol.voice.SfuTokenClaims;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/**
 * Mints the SFU access token: a JWT signed HS256 (nimbus-jose-jwt) with the relay↔SFU secret and
 * the claims named in {@link SfuTokenClaims}.
 */
public final class SfuTokenMinter {
  private final MACSigner signer;

  public SfuTokenMinter(String secret) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < SfuTokenClaims.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("voice.sfuSecret must be at least " + SfuTokenClaims.MIN_SECRET_BYTES + " bytes");
    }
    try {
      this.signer = new MACSigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("voice.sfuSecret is not usable for HS256", e);
    }
  }

  /**
   * @param room full room name {@code <hostId>:<channelId>}
   * @param expiresAtSeconds expiry, epoch seconds
   */
  public String mint(String room, String userId, String displayName, boolean canSpeak, long nowSeconds, long expiresAtSeconds) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(SfuTokenClaims.ISSUER)
            .audience(SfuTokenClaims.AUDIENCE)
            .subject(userId)
            .claim(SfuTokenClaims.ROOM, room)
            .claim(SfuTokenClaims.NAME, displayName)
            .claim(SfuTokenClaims.SPEAK, canSpeak)
            .issueTime(new Date(nowSeconds * 1000))
            .expirationTime(new Date(expiresAtSeconds * 1000))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed", e);
    }
    return jwt.serialize();
  }
}
