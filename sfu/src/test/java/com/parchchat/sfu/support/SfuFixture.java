package com.parchchat.sfu.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.parchchat.protocol.voice.SfuTokenClaims;
import com.parchchat.sfu.SfuServer;
import com.parchchat.sfu.config.SfuConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/** A real SFU on loopback with ephemeral ports, and a relay-like token minter for tests. */
public final class SfuFixture implements AutoCloseable {
  public static final String TOKEN_SECRET = "test-token-secret-0123456789abcdef0123456789";
  public static final String ADMIN_SECRET = "test-admin-secret-0123456789";

  private final SfuServer server;

  public SfuFixture() throws InterruptedException {
    this(SfuConfig.defaults(TOKEN_SECRET, ADMIN_SECRET, "127.0.0.1").withPorts(0, 0));
  }

  public SfuFixture(SfuConfig config) throws InterruptedException {
    this.server = new SfuServer(config).start();
  }

  public static SfuConfig config() {
    return SfuConfig.defaults(TOKEN_SECRET, ADMIN_SECRET, "127.0.0.1").withPorts(0, 0);
  }

  public SfuServer server() {
    return server;
  }

  public URI wsUri() {
    return URI.create("ws://127.0.0.1:" + server.signalAddress().getPort() + "/ws");
  }

  public URI httpUri(String path) {
    return URI.create("http://127.0.0.1:" + server.signalAddress().getPort() + path);
  }

  public static String token(String userId, String room, boolean speak) {
    return token(userId, room, speak, System.currentTimeMillis() + 300_000, TOKEN_SECRET, SfuTokenClaims.AUDIENCE);
  }

  public static String token(String userId, String room, boolean speak, long expiresAtMillis, String secret,
      String audience) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(userId)
        .issuer(SfuTokenClaims.ISSUER)
        .audience(audience)
        .claim(SfuTokenClaims.ROOM, room)
        .claim(SfuTokenClaims.NAME, "User " + userId)
        .claim(SfuTokenClaims.SPEAK, speak)
        .issueTime(new Date(System.currentTimeMillis() - 1000))
        .expirationTime(new Date(expiresAtMillis))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  @Override
  public void close() {
    server.close();
  }
}
