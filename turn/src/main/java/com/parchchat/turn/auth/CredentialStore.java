package com.parchchat.turn.auth;

import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.turn.config.TurnConfig;
import java.time.Clock;
import java.util.Map;

/**
 * Resolves a USERNAME to the long-term key {@code MD5(username:realm:password)} (RFC 8489
 * §9.2.2), from REST-secret credentials and/or static users. Returns null for unknown or
 * expired users; the caller answers 401 either way, without saying which.
 */
public final class CredentialStore {
  private final String realm;
  private final String secret;
  private final Map<String, String> users;
  private final Clock clock;

  public CredentialStore(TurnConfig config, Clock clock) {
    this.realm = config.realm();
    this.secret = config.useAuthSecret() ? config.staticAuthSecret() : null;
    this.users = config.users();
    this.clock = clock;
  }

  public byte[] keyFor(String username) {
    String password = users.get(username);
    if (password == null && secret != null) {
      long expiry = RestCredentials.expiry(username);
      if (expiry >= 0 && expiry * 1000 >= clock.millis()) {
        password = RestCredentials.password(secret, username);
      }
    }
    return password == null ? null : StunIntegrity.longTermKey(username, realm, password);
  }

  /** The identity that per-user quotas count: the REST user id, or the static username. */
  public String quotaKey(String username) {
    return users.containsKey(username) ? username : RestCredentials.userId(username);
  }

  public String realm() {
    return realm;
  }
}
