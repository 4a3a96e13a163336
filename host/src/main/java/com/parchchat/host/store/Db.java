package com.parchchat.host.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One SQLite connection plus a cache of its prepared statements. A handle belongs to exactly
 * one thread at a time (the writer thread, or the reader that borrowed it from the pool), so
 * the cache needs no locking. Callers never close statements they get from {@link #prepare};
 * they close the result sets they open.
 */
public final class Db implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  Db(Connection connection) {
    this.connection = connection;
  }

  /**
   * A cached prepared statement for {@code sql}. Parameters of its previous use stay bound (not
   * clearing them saves a call per statement on the hot path): set every one before executing,
   * as {@link #bind} does.
   */
  public PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /** Runs an update with the given parameters and returns the number of changed rows. */
  public int update(String sql, Object... params) throws SQLException {
    PreparedStatement ps = bind(sql, params);
    return ps.executeUpdate();
  }

  /** Runs an INSERT and returns the new row id (SQLite's last_insert_rowid()). */
  public long insert(String sql, Object... params) throws SQLException {
    PreparedStatement ps = bind(sql, params);
    ps.executeUpdate();
    try (ResultSet rs = prepare("SELECT last_insert_rowid()").executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs a query returning one long in its first column, or {@code fallback} when no row. */
  public long queryLong(long fallback, String sql, Object... params) throws SQLException {
    PreparedStatement ps = bind(sql, params);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return fallback;
      }
      long v = rs.getLong(1);
      return rs.wasNull() ? fallback : v;
    }
  }

  /** Whether the query returns at least one row. */
  public boolean exists(String sql, Object... params) throws SQLException {
    PreparedStatement ps = bind(sql, params);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** A prepared statement with {@code params} bound in order (1-based). */
  public PreparedStatement bind(String sql, Object... params) throws SQLException {
    PreparedStatement ps = prepare(sql);
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
    return ps;
  }

  /** The raw connection, for statements that must not be cached (e.g. VACUUM INTO). */
  public Connection connection() {
    return connection;
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement ps : statements.values()) {
      ps.close();
    }
    statements.clear();
    connection.close();
  }
}
