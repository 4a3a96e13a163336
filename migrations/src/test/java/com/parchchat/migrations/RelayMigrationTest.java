package com.parchchat.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrates a fresh relay SQLite file with Flyway and checks the schema the relay relies on. */
class RelayMigrationTest {

  @TempDir Path dir;
  private String url;

  @BeforeEach
  void migrate() {
    url = "jdbc:sqlite:" + dir.resolve("relay.db");
    MigrateResult result =
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/relay").load().migrate();
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
  }

  @Test
  void createsAllTablesWithTheirColumns() throws SQLException {
    try (Connection c = open()) {
      assertThat(columns(c, "users"))
          .contains("id", "username", "display_name", "email", "password_hash", "created_at", "updated_at");
      assertThat(columns(c, "sessions"))
          .contains("id", "user_id", "token_hash", "created_at", "last_seen_at", "expires_at", "user_agent", "ip")
          .doesNotContain("token");
      assertThat(columns(c, "password_resets"))
          .contains("token_hash", "user_id", "created_at", "expires_at", "used")
          .doesNotContain("token");
      assertThat(columns(c, "hosts")).contains("id", "name", "public_key", "owner_id", "created_at");
    }
  }

  @Test
  void secondMigrateIsANoOp() {
    MigrateResult again =
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/relay").load().migrate();
    assertThat(again.migrationsExecuted).isZero();
  }

  @Test
  void usernamesAreUniqueIgnoringCase() throws SQLException {
    try (Connection c = open()) {
      insertUser(c, "u1", "Alice");
      assertThatThrownBy(() -> insertUser(c, "u2", "aLICE"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("UNIQUE");
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE username = ?")) {
        ps.setString(1, "ALICE");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("u1");
        }
      }
    }
  }

  @Test
  void deletingAUserCascadesToSessionsAndResets() throws SQLException {
    try (Connection c = open()) {
      insertUser(c, "u1", "bob");
      try (Statement s = c.createStatement()) {
        s.executeUpdate(
            "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at)"
                + " VALUES ('s1', 'u1', 'h1', 1, 1, 2)");
        s.executeUpdate(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ('r1', 'u1', 1, 2)");
        s.executeUpdate("DELETE FROM users WHERE id = 'u1'");
        assertThat(count(s, "sessions")).isZero();
        assertThat(count(s, "password_resets")).isZero();
      }
    }
  }

  @Test
  void sessionTokenHashesAreUniqueAndResetsDefaultToUnused() throws SQLException {
    try (Connection c = open(); Statement s = c.createStatement()) {
      insertUser(c, "u1", "carol");
      s.executeUpdate(
          "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at)"
              + " VALUES ('s1', 'u1', 'h1', 1, 1, 2)");
      assertThatThrownBy(
              () ->
                  s.executeUpdate(
                      "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at)"
                          + " VALUES ('s2', 'u1', 'h1', 1, 1, 2)"))
          .isInstanceOf(SQLException.class);
      s.executeUpdate(
          "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ('r1', 'u1', 1, 2)");
      try (ResultSet rs = s.executeQuery("SELECT used FROM password_resets")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void hostPublicKeysAreRaw32ByteEd25519AndUnique() throws SQLException {
    try (Connection c = open()) {
      insertHost(c, "h1", new byte[32]);
      assertThatThrownBy(() -> insertHost(c, "h2", new byte[32])).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> insertHost(c, "h3", new byte[31])).isInstanceOf(SQLException.class);
    }
  }

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA foreign_keys = ON");
    }
    return c;
  }

  private static void insertUser(Connection c, String id, String username) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO users (id, username, display_name, email, password_hash, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, 1, 1)")) {
      ps.setString(1, id);
      ps.setString(2, username);
      ps.setString(3, username);
      ps.setString(4, username + "@example.test");
      ps.setString(5, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
      ps.executeUpdate();
    }
  }

  private static void insertHost(Connection c, String id, byte[] key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO hosts (id, name, public_key, created_at) VALUES (?, ?, ?, 1)")) {
      ps.setString(1, id);
      ps.setString(2, "host " + id);
      ps.setBytes(3, key);
      ps.executeUpdate();
    }
  }

  private static int count(Statement s, String table) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static List<String> columns(Connection c, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        names.add(rs.getString("name"));
      }
    }
    return names;
  }
}
