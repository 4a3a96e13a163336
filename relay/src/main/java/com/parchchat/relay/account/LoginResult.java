package com.parchchat.relay.account;

import com.parchchat.protocol.signal.UserRef;

/** A new login: the bearer token is returned once and never stored. */
public record LoginResult(String token, String sessionId, long expiresAt, UserRef user) {
  @Override
  public String toString() {
    return "LoginResult[token=<redacted>, sessionId=" + sessionId + ", user=" + user + "]";
  }
}
