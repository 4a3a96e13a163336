package com.parchchat.migrations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Operations on one service's SQLite file and its Flyway migrations: migrate (after an automatic
 * backup), info, validate and restore. Flyway's community edition has no undo, so the rollback
 * path is a restore of the backup {@link #migrate()} writes before changing the schema.
 *
 * <p>Invariant: {@link #migrate()} never applies a migration to an existing non-empty database
 * without first writing {@code <db>.backup-<from-version>-<UTC timestamp>.db}, a consistent copy
 * made with SQLite's {@code VACUUM INTO} (which also reads the WAL).
 */
public final class DatabaseOps {
  private static final Logger log = LoggerFactory.getLogger(DatabaseOps.class);

  /** Flyway location of the host's migrations. */
  public static final String HOST = "classpath:db/host";
  /** Flyway location of the relay's migrations. */
  public static final String RELAY = "classpath:db/relay";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private final Path file;
  private final String location;
  private final Clock clock;

  public DatabaseOps(Path file, String location) {
    this(file, location, Clock.systemUTC());
  }

  public DatabaseOps(Path file, String location, Clock clock) {
    this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    this.location = Objects.requireNonNull(location, "location");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Path file() {
    return file;
  }

  /** One applied or pending migration, as {@link #info()} reports it. */
  public record Migration(String version, String description, String state, java.time.Instant installedOn) {}

  /**
   * The schema state: {@code currentVersion} is null for a database without migrations.
   *
   * @param applied migrations recorded in {@code flyway_schema_history}, oldest first
   * @param pending migrations this jar has that the database has not applied yet
   */
  public record Info(String currentVersion, List<Migration> applied, List<Migration> pending) {}

  /** What {@link #migrate()} did; {@code backup} is null when nothing needed a backup. */
  public record MigrateOutcome(String fromVersion, String toVersion, int migrationsExecuted, Path backup) {}

  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(url(file), null, null)
        .locations(location)
        // validate checks what was applied; not-yet-applied migrations are reported, not errors
        .ignoreMigrationPatterns("*:pending")
        .load();
  }

  private static String url(Path f) {
    return "jdbc:sqlite:" + f.toAbsolutePath();
  }

  private void createParent() {
    try {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new DatabaseOpsException("cannot create the directory of " + file + ": " + e.getMessage(), e);
    }
  }

  /** Current version, applied and pending migrations (Flyway's MigrationInfoService). */
  public Info info() {
    if (!Files.exists(file)) {
      throw new DatabaseOpsException("no database at " + file);
    }
    try {
      MigrationInfoService s = flyway().info();
      MigrationInfo current = s.current();
      return new Info(
          current == null || current.getVersion() == null ? null : current.getVersion().getVersion(),
          toList(s.applied()),
          toList(s.pending()));
    } catch (FlywayException e) {
      throw new DatabaseOpsException("cannot read the migration history of " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<Migration> toList(MigrationInfo[] infos) {
    List<Migration> out = new ArrayList<>();
    for (MigrationInfo m : infos) {
      out.add(new Migration(
          m.getVersion() == null ? "" : m.getVersion().getVersion(),
          m.getDescription(),
          m.getState().getDisplayName(),
          m.getInstalledOn() == null ? null : m.getInstalledOn().toInstant()));
    }
    return out;
  }

  /**
   * Applies pending migrations, creating the file if needed. If the database already exists, is
   * not empty and has migrations pending, a backup is written first; if the backup fails nothing
   * is migrated.
   */
  public MigrateOutcome migrate() {
    createParent();
    boolean existing = isNonEmpty(file);
    Flyway flyway = flyway();
    try {
      Path backup = null;
      String from = null;
      if (existing) {
        MigrationInfoService s = flyway.info();
        MigrationInfo current = s.current();
        from = current == null || current.getVersion() == null ? "0" : current.getVersion().getVersion();
        if (s.pending().length > 0) {
          backup = backup(file.resolveSibling(file.getFileName() + ".backup-" + from + "-" + stamp() + ".db"));
          log.info("backed up {} (schema version {}) to {} before migrating", file, from, backup);
        }
      }
      MigrateResult r = flyway.migrate();
      if (r.migrationsExecuted > 0) {
        log.info("migrated {} from version {} to {} ({} migrations)", file,
            r.initialSchemaVersion == null ? "none" : r.initialSchemaVersion, r.targetSchemaVersion,
            r.migrationsExecuted);
      }
      String to = r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
      return new MigrateOutcome(r.initialSchemaVersion, to, r.migrationsExecuted, backup);
    } catch (FlywayException e) {
      throw new DatabaseOpsException("migration of " + file + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that every applied migration still matches this jar's script (checksum, description,
   * type) and that none is missing. Pending migrations are not errors.
   *
   * @return the problems found, empty when valid
   */
  public List<String> validate() {
    if (!Files.exists(file)) {
      throw new DatabaseOpsException("no database at " + file);
    }
    try {
      ValidateResult r = flyway().validateWithResult();
      List<String> problems = new ArrayList<>();
      if (r.validationSuccessful) {
        return problems;
      }
      for (ValidateOutput o : r.invalidMigrations) {
        String what = o.errorDetails == null ? "invalid" : o.errorDetails.errorMessage;
        problems.add("version " + o.version + " (" + o.description + "): " + what);
      }
      if (problems.isEmpty()) {
        problems.add(r.errorDetails != null ? r.errorDetails.errorMessage : r.getAllErrorMessages());
      }
      return problems;
    } catch (FlywayException e) {
      throw new DatabaseOpsException("cannot validate " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a consistent copy of the database to {@code target}, which must not exist. */
  public Path backup(Path target) {
    Path t = target.toAbsolutePath();
    if (Files.exists(t)) {
      throw new DatabaseOpsException("backup target already exists: " + t);
    }
    try (Connection c = DriverManager.getConnection(url(file)); Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      s.execute("VACUUM INTO '" + t.toString().replace("'", "''") + "'");
      return t;
    } catch (SQLException e) {
      throw new DatabaseOpsException("backup of " + file + " to " + t + " failed: " + e.getMessage(), e);
    }
  }

  /** What {@link #restore(Path)} did. */
  public record RestoreOutcome(String restoredVersion, Path previousKeptAt) {}

  /**
   * Replaces the database by {@code backup}. The backup must be a sound SQLite file with a
   * readable {@code flyway_schema_history}; the current file (if any) is kept as
   * {@code <db>.before-restore-<timestamp>.db}. Refused while another connection has the
   * database open (stop the service first).
   */
  public RestoreOutcome restore(Path backup) {
    Path b = backup.toAbsolutePath();
    if (!Files.isRegularFile(b)) {
      throw new DatabaseOpsException("no backup file at " + b);
    }
    if (b.equals(file)) {
      throw new DatabaseOpsException("the backup is the database itself: " + b);
    }
    String version = checkBackup(b);
    createParent();
    Path aside = null;
    if (Files.exists(file)) {
      releaseWal();
      aside = file.resolveSibling(file.getFileName() + ".before-restore-" + stamp() + ".db");
      try {
        Files.move(file, aside);
      } catch (IOException e) {
        throw new DatabaseOpsException("cannot move " + file + " aside to " + aside + ": " + e.getMessage(), e);
      }
    }
    try {
      for (String suffix : List.of("-wal", "-shm", "-journal")) {
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".restoring");
      Files.copy(b, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new DatabaseOpsException("cannot copy " + b + " to " + file + ": " + e.getMessage()
          + (aside != null ? " (the previous database is at " + aside + ")" : ""), e);
    }
    log.info("restored {} from {} (schema version {}); previous file kept at {}", file, b, version, aside);
    return new RestoreOutcome(version, aside);
  }

  /**
   * Makes the database a single self-contained file before it is moved: switching out of WAL
   * checkpoints and removes the -wal file, and SQLite refuses it while any other connection has
   * the database open, which is how a running service is detected.
   */
  private void releaseWal() {
    try (Connection c = DriverManager.getConnection(url(file)); Statement s = c.createStatement()) {
      String mode;
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = DELETE")) {
        mode = rs.next() ? rs.getString(1) : "";
      }
      if (!"delete".equalsIgnoreCase(mode)) {
        throw new DatabaseOpsException("the database " + file + " is in use (journal mode stays '" + mode
            + "'); stop the service before restoring");
      }
    } catch (SQLException e) {
      throw new DatabaseOpsException("the database " + file + " is in use or unreadable (" + e.getMessage()
          + "); stop the service before restoring", e);
    }
  }

  /** Checks a backup can be restored and returns its schema version. */
  private static String checkBackup(Path b) {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    try (Connection c = cfg.createConnection(url(b)); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
        String result = rs.next() ? rs.getString(1) : "no result";
        if (!"ok".equals(result)) {
          throw new DatabaseOpsException("backup " + b + " is damaged: " + result);
        }
      }
      try (ResultSet rs = s.executeQuery(
          "SELECT version FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL"
              + " ORDER BY installed_rank DESC LIMIT 1")) {
        if (!rs.next()) {
          throw new DatabaseOpsException("backup " + b + " has no applied migration");
        }
        return rs.getString(1);
      }
    } catch (SQLException e) {
      throw new DatabaseOpsException("backup " + b + " is not a Parch database (" + e.getMessage() + ")", e);
    }
  }

  private static boolean isNonEmpty(Path f) {
    try {
      return Files.isRegularFile(f) && Files.size(f) > 0;
    } catch (IOException e) {
      throw new DatabaseOpsException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  private String stamp() {
    return STAMP.format(clock.instant());
  }

}
