package com.parchchat.relay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** One-time password-reset tokens, stored as SHA-256 hashes. */
public final class PasswordResetStore {
  private final RelayDatabase db;

  public PasswordResetStore(RelayDatabase db) {
    this.db = db;
  }

  public void insert(String tokenHash, String userId, long now, long expiresAt) {
    db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, tokenHash);
            ps.setString(2, userId);
            ps.setLong(3, now);
            ps.setLong(4, expiresAt);
            return ps.executeUpdate();
          }
        });
  }

  /**
   * Marks the token used if it exists, is unused and unexpired, atomically; returns its user id.
   * A second call with the same token finds it used and returns empty.
   */
  public Optional<String> consume(String tokenHash, long now) {
    return db.transaction(
        c -> {
          String userId;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT user_id FROM password_resets WHERE token_hash = ? AND used = 0 AND expires_at > ?")) {
            ps.setString(1, tokenHash);
            ps.setLong(2, now);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<String>empty();
              }
              userId = rs.getString(1);
            }
          }
          try (PreparedStatement ps = c.prepareStatement("UPDATE password_resets SET used = 1 WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            ps.executeUpdate();
          }
          return Optional.of(userId);
        });
  }

  public int deleteExpired(long now) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM password_resets WHERE expires_at <= ?")) {
            ps.setLong(1, now);
            return ps.executeUpdate();
          }
        });
  }
}
