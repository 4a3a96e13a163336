package com.parchchat.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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

/** Migrates a fresh SQLite file with the host migrations and checks schema, constraints and FTS5. */
class HostMigrationTest {
  @TempDir Path dir;
  private String url;

  @BeforeEach
  void migrate() {
    url = "jdbc:sqlite:" + dir.resolve("host.db");
    MigrateResult result =
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/host").load().migrate();
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
  }

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA foreign_keys = ON");
    }
    return c;
  }

  private static List<String> column(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void createsEveryTable() throws SQLException {
    try (Connection c = open()) {
      assertThat(column(c, "SELECT name FROM sqlite_master WHERE type = 'table'"))
          .contains("users", "spaces", "channels", "members", "invites", "invite_codes", "messages",
              "messages_fts", "message_mentions", "reactions", "read_state", "bans");
      assertThat(column(c, "SELECT name FROM pragma_table_info('messages')"))
          .contains("id", "space_id", "channel_id", "author_id", "nonce", "content", "reply_to",
              "created_at", "edited_at", "deleted_at");
      // V3: inserts are indexed in the background behind a watermark, not by a trigger
      assertThat(column(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
          .contains("messages_fts_update", "messages_fts_delete")
          .doesNotContain("messages_fts_insert");
      assertThat(column(c, "SELECT indexed_through FROM search_index_state")).containsExactly("0");
    }
  }

  @Test
  void migratingTwiceIsANoOp() {
    MigrateResult again =
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/host").load().migrate();
    assertThat(again.migrationsExecuted).isZero();
  }

  @Test
  void ftsFollowsInsertEditAndDelete() throws SQLException {
    try (Connection c = open(); Statement s = c.createStatement()) {
      seedSpaceAndChannel(s);
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n1', 'the quick brown fox jumps', 1)");
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n2', 'a lazy dog sleeps', 2)");
      // not indexed until the indexer moves the watermark (what the host's SearchIndexer does)
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'fox'")).isEmpty();
      s.executeUpdate("INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages WHERE id <= 2");
      s.executeUpdate("UPDATE search_index_state SET indexed_through = 2");

      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'fox'")).containsExactly("1");
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'dog'")).containsExactly("2");

      s.executeUpdate("UPDATE messages SET content = 'a lazy cat sleeps', edited_at = 3 WHERE id = 2");
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'dog'")).isEmpty();
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'cat'")).containsExactly("2");

      s.executeUpdate("UPDATE messages SET content = '', deleted_at = 4 WHERE id = 1");
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'fox'")).isEmpty();

      s.executeUpdate("DELETE FROM messages WHERE id = 2");
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'cat'")).isEmpty();

      // above the watermark, edits and deletes leave the index alone (the row is indexed later)
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n3', 'an owl hoots', 5)");
      s.executeUpdate("UPDATE messages SET content = 'an owl sleeps', edited_at = 6 WHERE id = 3");
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'owl'")).isEmpty();
      s.executeUpdate("INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages WHERE id = 3");
      s.executeUpdate("UPDATE search_index_state SET indexed_through = 3");
      assertThat(column(c, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'sleeps'")).containsExactly("3");
      // the index stays consistent with its content table
      s.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)");
    }
  }

  @Test
  void nonceIsUniquePerAuthor() throws SQLException {
    try (Connection c = open(); Statement s = c.createStatement()) {
      seedSpaceAndChannel(s);
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n1', 'hello', 1)");
      // another author may use the same nonce
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u2', 'n1', 'hello', 1)");
      assertThatThrownBy(() -> s.executeUpdate(
              "INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
                  + " VALUES (1, 1, 'u1', 'n1', 'again', 2)"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("UNIQUE");
    }
  }

  @Test
  void constraintsRejectBadValuesAndDeleteCascades() throws SQLException {
    try (Connection c = open(); Statement s = c.createStatement()) {
      seedSpaceAndChannel(s);
      assertThatThrownBy(() -> s.executeUpdate(
              "INSERT INTO channels(space_id, name, kind, position, created_at) VALUES (1, 'x', 'video', 1, 0)"))
          .isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> s.executeUpdate(
              "INSERT INTO members(space_id, user_id, role, joined_at) VALUES (1, 'u1', 'king', 0)"))
          .isInstanceOf(SQLException.class);
      s.executeUpdate("INSERT INTO invites(space_id, inviter_id, invitee_id, status, created_at)"
          + " VALUES (1, 'u1', 'u2', 'pending', 0)");
      assertThatThrownBy(() -> s.executeUpdate(
              "INSERT INTO invites(space_id, inviter_id, invitee_id, status, created_at)"
                  + " VALUES (1, 'u1', 'u2', 'pending', 1)"))
          .isInstanceOf(SQLException.class);
      s.executeUpdate("INSERT INTO invite_codes(code, space_id, created_by, created_at, max_uses, uses)"
          + " VALUES ('abc', 1, 'u1', 0, 1, 1)");
      assertThatThrownBy(() -> s.executeUpdate("UPDATE invite_codes SET uses = 2 WHERE code = 'abc'"))
          .isInstanceOf(SQLException.class);
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n1', 'hello', 1)");
      s.executeUpdate("INSERT INTO message_mentions(message_id, user_id) VALUES (1, 'u2')");
      s.executeUpdate("INSERT INTO reactions(message_id, emoji, user_id, created_at) VALUES (1, '👍', 'u1', 1)");
      s.executeUpdate("INSERT INTO read_state(user_id, channel_id, last_read_id, updated_at) VALUES ('u1', 1, 1, 1)");
      s.executeUpdate("INSERT INTO bans(space_id, user_id, banned_by, created_at) VALUES (1, 'u3', 'u1', 1)");

      s.executeUpdate("DELETE FROM spaces WHERE id = 1");
      for (String table : List.of("channels", "members", "invites", "invite_codes", "messages",
          "message_mentions", "reactions", "read_state", "bans")) {
        assertThat(column(c, "SELECT count(*) FROM " + table)).as(table).containsExactly("0");
      }
      assertThat(column(c, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'hello'"))
          .containsExactly("0");
    }
  }

  private static void seedSpaceAndChannel(Statement s) throws SQLException {
    s.executeUpdate("INSERT INTO spaces(name, owner_id, created_at) VALUES ('Home', 'u1', 0)");
    s.executeUpdate("INSERT INTO channels(space_id, name, kind, position, created_at) VALUES (1, 'general', 'text', 0, 0)");
    s.executeUpdate("INSERT INTO users(id, username, display_name, updated_at) VALUES ('u1', 'one', 'One', 0)");
    s.executeUpdate("INSERT INTO users(id, username, display_name, updated_at) VALUES ('u2', 'two', 'Two', 0)");
    s.executeUpdate("INSERT INTO members(space_id, user_id, role, joined_at) VALUES (1, 'u1', 'owner', 0)");
  }
}
