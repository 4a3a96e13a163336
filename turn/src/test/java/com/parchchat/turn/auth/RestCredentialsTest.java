package com.parchchat.turn.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.turn.config.TurnConfig;
import com.parchchat.turn.server.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestCredentialsTest {

  @Test
  void mintsCoturnStyleUsernameAndPassword() {
    RestCredentials.Credentials c = RestCredentials.mint("secret", 1_700_000_000L, "user42");
    assertThat(c.username()).isEqualTo("1700000000:user42");
    // base64(HMAC-SHA1("secret", "1700000000:user42")), computed independently with openssl:
    // printf '1700000000:user42' | openssl dgst -sha1 -hmac secret -binary | base64
    assertThat(c.password()).isEqualTo("X43fPLv4/T8R0tZwcI+cO9MLT+I=");
    assertThat(c.toString()).doesNotContain(c.password());
    assertThat(RestCredentials.expiry(c.username())).isEqualTo(1_700_000_000L);
    assertThat(RestCredentials.userId(c.username())).isEqualTo("user42");
    assertThat(RestCredentials.expiry("1700000000")).isEqualTo(1_700_000_000L);
    assertThat(RestCredentials.expiry("alice")).isEqualTo(-1);
    assertThat(RestCredentials.expiry(":x")).isEqualTo(-1);
  }

  @Test
  void credentialStoreHonoursExpiryAndStaticUsers() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    TurnConfig.Builder b = TurnConfig.builder();
    b.relayIp = "127.0.0.1";
    b.useAuthSecret = true;
    b.staticAuthSecret = "s";
    b.users = java.util.Map.of("static", "pw");
    CredentialStore store = new CredentialStore(b.build(), clock);
    RestCredentials.Credentials c = RestCredentials.mint("s", 1_700_000_060L, "u");
    assertThat(store.keyFor(c.username())).hasSize(16);
    assertThat(store.keyFor("static")).hasSize(16);
    assertThat(store.keyFor("nobody")).isNull();
    assertThat(store.quotaKey(c.username())).isEqualTo("u");
    clock.advance(Duration.ofSeconds(61));
    assertThat(store.keyFor(c.username())).isNull();
  }

  @Test
  void noncesAreBoundToClientAndExpire() throws Exception {
    MutableClock clock = new MutableClock(0);
    NonceService nonces = new NonceService(10, clock);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");
    String n = nonces.issue(a);
    assertThat(nonces.check(n, a)).isEqualTo(NonceService.Check.VALID);
    assertThat(nonces.check(n, b)).isEqualTo(NonceService.Check.INVALID);
    assertThat(nonces.check("garbage", a)).isEqualTo(NonceService.Check.INVALID);
    assertThat(nonces.check(n.substring(0, 31) + (n.charAt(31) == '0' ? '1' : '0'), a))
        .isEqualTo(NonceService.Check.INVALID);
    clock.advance(Duration.ofSeconds(11));
    assertThat(nonces.check(n, a)).isEqualTo(NonceService.Check.STALE);
  }

  @Test
  void rateLimiterRefillsOverTime() throws Exception {
    MutableClock clock = new MutableClock(0);
    RequestRateLimiter limiter = new RequestRateLimiter(2, 2, clock);
    InetAddress ip = InetAddress.getByName("192.0.2.9");
    assertThat(limiter.tryAcquire(ip)).isTrue();
    assertThat(limiter.tryAcquire(ip)).isTrue();
    assertThat(limiter.tryAcquire(ip)).isFalse();
    assertThat(limiter.tryAcquire(InetAddress.getByName("192.0.2.10"))).isTrue();
    clock.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire(ip)).isTrue();
    assertThat(limiter.tryAcquire(ip)).isFalse();
  }
}
