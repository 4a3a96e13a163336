package com.parchchat.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** DatabaseOps and DbCommand on real SQLite files made at the previous schema version. */
class DatabaseOpsTest {
  @TempDir Path dir;

  private Path hostDbAtV1() throws SQLException {
    Path db = dir.resolve("host.db");
    Flyway.configure().dataSource(url(db), null, null).locations(DatabaseOps.HOST).target("1").load().migrate();
    try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.executeUpdate("INSERT INTO spaces(name, owner_id, created_at) VALUES ('Guild', 'u1', 1)");
      s.executeUpdate("INSERT INTO channels(space_id, name, kind, position, created_at) VALUES (1, 'general', 'text', 0, 1)");
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n1', 'written at version one', 2)");
    }
    return db;
  }

  private static String url(Path db) {
    return "jdbc:sqlite:" + db.toAbsolutePath();
  }

  private static List<String> column(Path db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  private List<Path> files(String infix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().contains(infix)).collect(Collectors.toList());
    }
  }

  @Test
  void migrateFromV1BacksUpFirstAndKeepsTheData() throws Exception {
    Path db = hostDbAtV1();
    DatabaseOps ops = new DatabaseOps(db, DatabaseOps.HOST);

    DatabaseOps.MigrateOutcome r = ops.migrate();

    assertThat(r.fromVersion()).isEqualTo("1");
    assertThat(r.toVersion()).isEqualTo("3");
    assertThat(r.migrationsExecuted()).isEqualTo(2);
    assertThat(r.backup()).exists();
    assertThat(r.backup().getFileName().toString()).matches("host\\.db\\.backup-1-\\d{8}T\\d{9}Z\\.db");
    assertThat(column(db, "SELECT content FROM messages")).containsExactly("written at version one");
    assertThat(column(db, "SELECT name FROM sqlite_master WHERE type = 'index'"))
        .contains("messages_by_reply_to", "read_state_by_channel");
    // V3: the V1 trigger had indexed the existing message, so the search watermark starts past it
    assertThat(column(db, "SELECT indexed_through FROM search_index_state")).containsExactly("1");
    assertThat(column(db, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'version'")).containsExactly("1");
    // the backup is the database as it was: version 1, with its rows, without the V2 indexes
    assertThat(new DatabaseOps(r.backup(), DatabaseOps.HOST).info().currentVersion()).isEqualTo("1");
    assertThat(column(r.backup(), "SELECT content FROM messages")).containsExactly("written at version one");
    assertThat(column(r.backup(), "SELECT name FROM sqlite_master WHERE type = 'index'"))
        .doesNotContain("messages_by_reply_to");

    DatabaseOps.MigrateOutcome again = ops.migrate();
    assertThat(again.migrationsExecuted()).isZero();
    assertThat(again.backup()).isNull();
    assertThat(files(".backup-")).hasSize(1);
  }

  @Test
  void aFreshDatabaseIsCreatedWithoutABackup() throws Exception {
    Path db = dir.resolve("sub/relay.db");
    DatabaseOps.MigrateOutcome r = new DatabaseOps(db, DatabaseOps.RELAY).migrate();
    assertThat(r.backup()).isNull();
    assertThat(r.toVersion()).isEqualTo("2");
    assertThat(column(db, "SELECT name FROM sqlite_master WHERE type = 'index'")).contains("password_resets_expires");
    try (Stream<Path> s = Files.list(db.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("backup"));
    }
  }

  @Test
  void infoListsAppliedWithDatesAndPending() throws Exception {
    Path db = hostDbAtV1();
    DatabaseOps ops = new DatabaseOps(db, DatabaseOps.HOST);

    DatabaseOps.Info before = ops.info();
    assertThat(before.currentVersion()).isEqualTo("1");
    assertThat(before.applied()).extracting(DatabaseOps.Migration::version).containsExactly("1");
    assertThat(before.applied().get(0).installedOn()).isNotNull();
    assertThat(before.pending()).extracting(DatabaseOps.Migration::version).containsExactly("2", "3");
    assertThat(before.pending().get(0).installedOn()).isNull();

    ops.migrate();
    DatabaseOps.Info after = ops.info();
    assertThat(after.currentVersion()).isEqualTo("3");
    assertThat(after.applied()).extracting(DatabaseOps.Migration::version).containsExactly("1", "2", "3");
    assertThat(after.pending()).isEmpty();
  }

  @Test
  void validateDetectsATamperedChecksum() throws Exception {
    Path db = hostDbAtV1();
    DatabaseOps ops = new DatabaseOps(db, DatabaseOps.HOST);
    assertThat(ops.validate()).as("pending migrations are not errors").isEmpty();
    ops.migrate();
    assertThat(ops.validate()).isEmpty();

    try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
    }
    List<String> problems = ops.validate();
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("version 1 (init)").containsIgnoringCase("checksum");

    // a tampered history also stops migrate
    assertThatThrownBy(ops::migrate).isInstanceOf(DatabaseOpsException.class)
        .hasMessageContaining("checksum");
  }

  @Test
  void restoreBringsBackV1AndKeepsThePreviousFileAside() throws Exception {
    Path db = hostDbAtV1();
    DatabaseOps ops = new DatabaseOps(db, DatabaseOps.HOST);
    Path backup = ops.migrate().backup();
    try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
          + " VALUES (1, 1, 'u1', 'n2', 'written at version two', 3)");
    }

    DatabaseOps.RestoreOutcome r = ops.restore(backup);

    assertThat(r.restoredVersion()).isEqualTo("1");
    assertThat(ops.info().currentVersion()).isEqualTo("1");
    assertThat(column(db, "SELECT content FROM messages")).containsExactly("written at version one");
    assertThat(r.previousKeptAt()).exists();
    assertThat(r.previousKeptAt().getFileName().toString()).startsWith("host.db.before-restore-");
    assertThat(column(r.previousKeptAt(), "SELECT content FROM messages ORDER BY id"))
        .containsExactly("written at version one", "written at version two");
    assertThat(db.resolveSibling("host.db-wal")).doesNotExist();
    assertThat(backup).exists();
  }

  @Test
  void restoreRefusesWhileTheDatabaseIsOpenElsewhere() throws Exception {
    Path db = hostDbAtV1();
    Path backup = new DatabaseOps(db, DatabaseOps.HOST).migrate().backup();
    try (Connection service = DriverManager.getConnection(url(db)); Statement s = service.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.executeQuery("SELECT count(*) FROM messages").close();
      assertThatThrownBy(() -> new DatabaseOps(db, DatabaseOps.HOST).restore(backup))
          .isInstanceOf(DatabaseOpsException.class)
          .hasMessageContaining("in use");
    }
    assertThat(new DatabaseOps(db, DatabaseOps.HOST).info().currentVersion()).isEqualTo("3");
  }

  @Test
  void restoreRejectsFilesThatAreNotParchDatabases() throws Exception {
    Path db = hostDbAtV1();
    DatabaseOps ops = new DatabaseOps(db, DatabaseOps.HOST);
    Path garbage = Files.writeString(dir.resolve("garbage.db"), "not a database at all, just text");
    Path plain = dir.resolve("plain.db");
    try (Connection c = DriverManager.getConnection(url(plain)); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(x)");
    }
    assertThatThrownBy(() -> ops.restore(garbage)).isInstanceOf(DatabaseOpsException.class)
        .hasMessageContaining("garbage.db");
    assertThatThrownBy(() -> ops.restore(plain)).isInstanceOf(DatabaseOpsException.class)
        .hasMessageContaining("not a Parch database");
    assertThatThrownBy(() -> ops.restore(dir.resolve("missing.db"))).isInstanceOf(DatabaseOpsException.class)
        .hasMessageContaining("no backup file");
    assertThat(column(db, "SELECT content FROM messages")).containsExactly("written at version one");
    assertThat(files("before-restore")).isEmpty();
  }

  @Test
  void dbCommandRunsEachSubcommand() throws Exception {
    Path db = hostDbAtV1();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new DbCommand(DatabaseOps.HOST, () -> db))
        .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));

    assertThat(cli.execute("info")).isZero();
    assertThat(out.toString()).contains("Current version: 1", "Pending: 2");
    assertThat(cli.execute("migrate")).isZero();
    assertThat(out.toString()).contains("Backup: ", "schema version 1 -> 3");
    assertThat(cli.execute("validate")).isZero();
    Path backup = files(".backup-1-").get(0);
    assertThat(cli.execute("restore", backup.toString())).isZero();
    assertThat(out.toString()).contains("schema version 1)", "Previous database kept at");
    assertThat(cli.execute("restore", dir.resolve("nope.db").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no backup file");
    assertThat(new CommandLine(new DbCommand(DatabaseOps.HOST, () -> dir.resolve("absent.db")))
        .setErr(new PrintWriter(err, true)).execute("info")).isEqualTo(1);
    assertThat(new CommandLine(new DbCommand(DatabaseOps.HOST, () -> {
      throw new IllegalArgumentException("dataDir: missing");
    })).setErr(new PrintWriter(err, true)).execute("info")).isEqualTo(2);
  }
}
