package com.parchchat.relay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Accounts. Username lookups ignore case (the column and its unique index are NOCASE). */
public final class UserStore {
  private final RelayDatabase db;

  public UserStore(RelayDatabase db) {
    this.db = db;
  }

  /** Inserts a user; throws a {@link StoreException} with {@code isUniqueViolation()} if taken. */
  public void insert(UserRecord u) {
    db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO users (id, username, display_name, email, password_hash, created_at, updated_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, u.id());
            ps.setString(2, u.username());
            ps.setString(3, u.displayName());
            ps.setString(4, u.email());
            ps.setString(5, u.passwordHash());
            ps.setLong(6, u.createdAt());
            ps.setLong(7, u.createdAt());
            return ps.executeUpdate();
          }
        });
  }

  public Optional<UserRecord> byId(String id) {
    return one("SELECT * FROM users WHERE id = ?", id);
  }

  public Optional<UserRecord> byUsername(String username) {
    return one("SELECT * FROM users WHERE username = ? COLLATE NOCASE", username);
  }

  public Optional<UserRecord> byEmail(String email) {
    return one("SELECT * FROM users WHERE email = ? COLLATE NOCASE ORDER BY created_at LIMIT 1", email);
  }

  public void updatePasswordHash(String id, String hash, long now) {
    update("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, id);
  }

  public void updateDisplayName(String id, String displayName, long now) {
    update("UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?", displayName, now, id);
  }

  /** Deletes the user; sessions and resets go with it (foreign keys cascade). */
  public boolean delete(String id) {
    return db.read(
            c -> {
              try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate();
              }
            })
        > 0;
  }

  private void update(String sql, String value, long now, String id) {
    db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            ps.setLong(2, now);
            ps.setString(3, id);
            return ps.executeUpdate();
          }
        });
  }

  private Optional<UserRecord> one(String sql, String arg) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(map(rs)) : Optional.<UserRecord>empty();
            }
          }
        });
  }

  private static UserRecord map(ResultSet rs) throws SQLException {
    return new UserRecord(
        rs.getString("id"),
        rs.getString("username"),
        rs.getString("display_name"),
        rs.getString("email"),
        rs.getString("password_hash"),
        rs.getLong("created_at"));
  }
}
