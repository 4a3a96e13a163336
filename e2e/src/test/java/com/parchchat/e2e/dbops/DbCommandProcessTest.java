package com.parchchat.e2e.dbops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.parchchat.testkit.process.ServiceProcess;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jars' {@code db} subcommands as processes, on a database made by the previous schema
 * version (Flyway stopped at V1, plus rows): migrate (backup first), info, validate, then restore
 * of that backup as the rollback path.
 */
class DbCommandProcessTest {
  private static final Pattern BACKUP_LINE = Pattern.compile("(?m)^Backup: (.+)$");

  @TempDir Path dir;

  /** Exit code and combined output of one finished process. */
  private record Run(int exit, String output) {}

  private Run run(String jarProperty, String... args) throws IOException, InterruptedException {
    String jar = System.getProperty(jarProperty);
    assertThat(jar).as(jarProperty).isNotNull();
    assertThat(Path.of(jar)).as("built jar").exists();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "run", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String url(Path db) {
    return "jdbc:sqlite:" + db.toAbsolutePath();
  }

  private static void atVersionOne(Path db, String location, String... inserts) throws SQLException {
    Flyway.configure().dataSource(url(db), null, null).locations(location).target("1").load().migrate();
    try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      for (String sql : inserts) {
        s.executeUpdate(sql);
      }
    }
  }

  private static List<String> column(Path db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  private static String version(Path db) throws SQLException {
    return column(db, "SELECT version FROM flyway_schema_history WHERE success = 1 ORDER BY installed_rank DESC LIMIT 1")
        .get(0);
  }

  /**
   * migrate → info → validate → restore → info through one jar, on {@code db} made at V1;
   * {@code latest} is the newest schema version of that jar.
   */
  private void upgradeAndRollBack(String jarProperty, int latest, Path db, String dataSql, String expectedRow,
      String v2Index, String... dataDirArgs) throws Exception {
    String pending = "Pending: " + (latest - 1);
    Run before = run(jarProperty, args(dataDirArgs, "db", "info"));
    assertThat(before.exit()).as(before.output()).isZero();
    assertThat(before.output()).contains("Current version: 1", pending);

    Run migrate = run(jarProperty, args(dataDirArgs, "db", "migrate"));
    assertThat(migrate.exit()).as(migrate.output()).isZero();
    assertThat(migrate.output()).contains("schema version 1 -> " + latest);
    Matcher m = BACKUP_LINE.matcher(migrate.output());
    assertThat(m.find()).as(migrate.output()).isTrue();
    Path backup = Path.of(m.group(1).strip());
    assertThat(backup).exists().hasParent(db.getParent());
    assertThat(backup.getFileName().toString()).startsWith(db.getFileName() + ".backup-1-");

    assertThat(version(db)).isEqualTo(Integer.toString(latest));
    assertThat(column(db, dataSql)).containsExactly(expectedRow);
    assertThat(column(db, "SELECT name FROM sqlite_master WHERE type = 'index'")).contains(v2Index);
    assertThat(version(backup)).isEqualTo("1");
    assertThat(column(backup, dataSql)).containsExactly(expectedRow);

    Run info = run(jarProperty, args(dataDirArgs, "db", "info"));
    assertThat(info.exit()).as(info.output()).isZero();
    assertThat(info.output()).contains("Current version: " + latest, "Pending: 0");
    assertThat(info.output()).containsPattern("(?m)^1 +init +Success +\\d{4}-");

    Run validate = run(jarProperty, args(dataDirArgs, "db", "validate"));
    assertThat(validate.exit()).as(validate.output()).isZero();
    assertThat(validate.output()).contains("Valid:");

    Run restore = run(jarProperty, args(dataDirArgs, "db", "restore", backup.toString()));
    assertThat(restore.exit()).as(restore.output()).isZero();
    assertThat(restore.output()).contains("schema version 1)", "Previous database kept at");
    assertThat(version(db)).isEqualTo("1");
    assertThat(column(db, dataSql)).containsExactly(expectedRow);
    assertThat(column(db, "SELECT name FROM sqlite_master WHERE type = 'index'")).doesNotContain(v2Index);
    try (var files = Files.list(db.getParent())) {
      List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith(db.getFileName() + ".before-restore-"))
          .toList();
      assertThat(aside).hasSize(1);
      assertThat(version(aside.get(0))).isEqualTo(Integer.toString(latest));
    }

    Run after = run(jarProperty, args(dataDirArgs, "db", "info"));
    assertThat(after.output()).contains("Current version: 1", pending);

    Run bad = run(jarProperty, args(dataDirArgs, "db", "restore", dir.resolve("no-such-backup.db").toString()));
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.output()).contains("no backup file");
  }

  private static String[] args(String[] prefix, String... rest) {
    List<String> all = new ArrayList<>(List.of(prefix));
    all.addAll(List.of(rest));
    return all.toArray(new String[0]);
  }

  @Test
  void hostJarMigratesAPreviousVersionDatabaseAndRestoresIt() throws Exception {
    Path dataDir = dir.resolve("host-data");
    Files.createDirectories(dataDir);
    Path db = dataDir.resolve("host.db");
    atVersionOne(db, "classpath:db/host",
        "INSERT INTO spaces(name, owner_id, created_at) VALUES ('Guild', 'u1', 1)",
        "INSERT INTO channels(space_id, name, kind, position, created_at) VALUES (1, 'general', 'text', 0, 1)",
        "INSERT INTO messages(space_id, channel_id, author_id, nonce, content, created_at)"
            + " VALUES (1, 1, 'u1', 'n1', 'kept across the upgrade', 2)");
    upgradeAndRollBack("parch.jar.host", 3, db, "SELECT content FROM messages", "kept across the upgrade",
        "messages_by_reply_to", "--data-dir", dataDir.toString());
  }

  @Test
  void relayJarMigratesAPreviousVersionDatabaseAndRestoresIt() throws Exception {
    Path dataDir = dir.resolve("relay-data");
    Files.createDirectories(dataDir);
    Path db = dataDir.resolve("relay.db");
    atVersionOne(db, "classpath:db/relay",
        "INSERT INTO users(id, username, display_name, email, password_hash, created_at, updated_at)"
            + " VALUES ('u1', 'alice', 'Alice', 'alice@example.org', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 1, 1)");
    upgradeAndRollBack("parch.jar.relay", 2, db, "SELECT username FROM users", "alice",
        "password_resets_expires", "--data-dir", dataDir.toString());
  }

  @Test
  void relayStartOnAPreviousVersionDatabaseBacksUpBeforeMigrating() throws Exception {
    Path dataDir = dir.resolve("relay-start");
    Files.createDirectories(dataDir);
    Path db = dataDir.resolve("relay.db");
    atVersionOne(db, "classpath:db/relay",
        "INSERT INTO users(id, username, display_name, email, password_hash, created_at, updated_at)"
            + " VALUES ('u1', 'bob', 'Bob', 'bob@example.org', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 1, 1)");
    try (ServiceProcess relay = ServiceProcess.builder("relay-dbops")
        .jar(Path.of(System.getProperty("parch.jar.relay")), "--bind", "127.0.0.1", "--port", "0",
            "--data-dir", dataDir.toString())
        .logDir(dir)
        .start()) {
      relay.awaitOutput("parch-relay ready on port", Duration.ofSeconds(60));
      assertThat(relay.output()).contains("before migrating");
      relay.stop(Duration.ofSeconds(20));
    }
    assertThat(version(db)).isEqualTo("2");
    assertThat(column(db, "SELECT username FROM users")).containsExactly("bob");
    try (var files = Files.list(dataDir)) {
      List<Path> backups = files.filter(p -> p.getFileName().toString().startsWith("relay.db.backup-1-")).toList();
      assertThat(backups).hasSize(1);
      assertThat(version(backups.get(0))).isEqualTo("1");
      assertThat(column(backups.get(0), "SELECT username FROM users")).containsExactly("bob");
    }
  }
}
