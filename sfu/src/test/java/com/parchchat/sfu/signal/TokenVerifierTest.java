package com.parchchat.sfu.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.voice.SfuTokenClaims;
import com.parchchat.sfu.support.SfuFixture;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private final TokenVerifier verifier = new TokenVerifier(SfuFixture.TOKEN_SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

  private static String sign(UnaryOperator<JWTClaimsSet.Builder> edit) throws Exception {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("u1").issuer(SfuTokenClaims.ISSUER)
        .audience(SfuTokenClaims.AUDIENCE).claim(SfuTokenClaims.ROOM, "h:c").claim(SfuTokenClaims.NAME, "Ann")
        .claim(SfuTokenClaims.SPEAK, true).issueTime(Date.from(NOW.minusSeconds(5)))
        .expirationTime(Date.from(NOW.plusSeconds(300)));
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), edit.apply(b).build());
    jwt.sign(new MACSigner(SfuFixture.TOKEN_SECRET.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private SfuErrorReason reasonFor(String token, String room) {
    try {
      verifier.verify(token, room);
      throw new AssertionError("accepted");
    } catch (TokenException e) {
      return e.reason();
    }
  }

  @Test
  void goodTokenYieldsItsClaims() throws Exception {
    SfuToken t = verifier.verify(sign(b -> b), "h:c");
    assertThat(t).isEqualTo(new SfuToken("u1", "h:c", "Ann", true, NOW.plusSeconds(300).getEpochSecond()));
    assertThat(verifier.verify(sign(b -> b.claim(SfuTokenClaims.SPEAK, null)), null).canSpeak()).isFalse();
  }

  @Test
  void everyRefusalHasItsReason() throws Exception {
    assertThat(reasonFor(sign(b -> b.expirationTime(Date.from(NOW.minusSeconds(31)))), null))
        .isEqualTo(SfuErrorReason.TOKEN_EXPIRED);
    assertThat(reasonFor(sign(b -> b), "h:other")).isEqualTo(SfuErrorReason.TOKEN_WRONG_ROOM);
    assertThat(reasonFor(sign(b -> b.issuer("someone")), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(sign(b -> b.audience("parch-turn")), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(sign(b -> b.expirationTime(null)), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(sign(b -> b.issueTime(Date.from(NOW.plusSeconds(3600)))), null))
        .isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(sign(b -> b.subject(null)), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(sign(b -> b.claim(SfuTokenClaims.ROOM, "no-colon")), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(sign(b -> b.claim(SfuTokenClaims.SPEAK, "yes")), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    String good = sign(b -> b);
    String badSig = good.substring(0, good.length() - 3) + (good.endsWith("AAA") ? "BBB" : "AAA");
    assertThat(reasonFor(badSig, null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor(new PlainJWT(new JWTClaimsSet.Builder().subject("u1").build()).serialize(), null))
        .isEqualTo(SfuErrorReason.TOKEN_INVALID);
    assertThat(reasonFor("x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1), null)).isEqualTo(SfuErrorReason.TOKEN_INVALID);
  }

  @Test
  void expiryWithinTheSkewIsAccepted() throws Exception {
    assertThat(verifier.verify(sign(b -> b.expirationTime(Date.from(NOW.minusSeconds(10)))), null).userId())
        .isEqualTo("u1");
  }

  @Test
  void shortSecretsAreRefusedAtStart() {
    assertThatThrownBy(() -> new TokenVerifier("short", Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class);
  }
}
