package com.parchchat.relay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Login sessions, keyed by the SHA-256 of their token; the token itself is never stored. */
public final class SessionStore {
  private final RelayDatabase db;

  public SessionStore(RelayDatabase db) {
    this.db = db;
  }

  /**
   * Inserts a session and, in the same transaction, deletes the user's oldest sessions beyond
   * {@code maxPerUser}.
   */
  public void insert(SessionRecord s, int maxPerUser) {
    db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, ip)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.id());
            ps.setString(2, s.userId());
            ps.setString(3, s.tokenHash());
            ps.setLong(4, s.createdAt());
            ps.setLong(5, s.lastSeenAt());
            ps.setLong(6, s.expiresAt());
            ps.setString(7, s.userAgent());
            ps.setString(8, s.ip());
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM sessions WHERE user_id = ? AND id NOT IN"
                      + " (SELECT id FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id LIMIT ?)")) {
            ps.setString(1, s.userId());
            ps.setString(2, s.userId());
            ps.setInt(3, maxPerUser);
            return ps.executeUpdate();
          }
        });
  }

  public Optional<SessionRecord> byTokenHash(String tokenHash) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT * FROM sessions WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(map(rs)) : Optional.<SessionRecord>empty();
            }
          }
        });
  }

  public List<SessionRecord> byUser(String userId) {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at, id")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
              List<SessionRecord> out = new ArrayList<>();
              while (rs.next()) {
                out.add(map(rs));
              }
              return out;
            }
          }
        });
  }

  /** Slides the expiry forward on use. */
  public void touch(String id, long now, long expiresAt) {
    db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?")) {
            ps.setLong(1, now);
            ps.setLong(2, expiresAt);
            ps.setString(3, id);
            return ps.executeUpdate();
          }
        });
  }

  /** Deletes one of the user's sessions; false if the user has no such session. */
  public boolean delete(String userId, String sessionId) {
    return db.read(
            c -> {
              try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE id = ? AND user_id = ?")) {
                ps.setString(1, sessionId);
                ps.setString(2, userId);
                return ps.executeUpdate();
              }
            })
        > 0;
  }

  /** Deletes all of the user's sessions except {@code keepId} (null keeps none); returns their ids. */
  public List<String> deleteAllExcept(String userId, String keepId) {
    return db.transaction(
        c -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement("SELECT id FROM sessions WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String id = rs.getString(1);
                if (!id.equals(keepId)) {
                  ids.add(id);
                }
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?")) {
            ps.setString(1, userId);
            ps.setString(2, keepId);
            ps.executeUpdate();
          }
          return ids;
        });
  }

  public int deleteExpired(long now) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE expires_at <= ?")) {
            ps.setLong(1, now);
            return ps.executeUpdate();
          }
        });
  }

  private static SessionRecord map(ResultSet rs) throws SQLException {
    return new SessionRecord(
        rs.getString("id"),
        rs.getString("user_id"),
        rs.getString("token_hash"),
        rs.getLong("created_at"),
        rs.getLong("last_seen_at"),
        rs.getLong("expires_at"),
        rs.getString("user_agent"),
        rs.getString("ip"));
  }
}
