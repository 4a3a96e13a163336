package com.parchchat.relay.store;

/** A row of {@code sessions}: a login, known only by the SHA-256 of its token. */
public record SessionRecord(
    String id,
    String userId,
    String tokenHash,
    long createdAt,
    long lastSeenAt,
    long expiresAt,
    String userAgent,
    String ip) {
  @Override
  public String toString() {
    return "SessionRecord[id=" + id + ", userId=" + userId + "]";
  }
}
