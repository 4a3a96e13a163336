package com.parchchat.relay.store;

/** A row of {@code users}. {@link #toString()} leaves out the password hash. */
public record UserRecord(
    String id, String username, String displayName, String email, String passwordHash, long createdAt) {
  @Override
  public String toString() {
    return "UserRecord[id=" + id + ", username=" + username + "]";
  }
}
