package com.parchchat.migrations;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code db} subcommand of parch-relay.jar and parch-host.jar: {@code migrate}, {@code info},
 * {@code validate}, {@code restore BACKUP}. The service registers an instance built with its
 * Flyway location and a supplier of its database file, evaluated after picocli has parsed the
 * service's own options (e.g. {@code --data-dir}).
 *
 * <p>Exit codes: 0 success, 1 the operation failed or found problems, 2 bad input (no database,
 * bad configuration).
 */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = "Database operations: migrate (with an automatic backup first), info, validate, restore.",
    subcommands = {DbCommand.Migrate.class, DbCommand.Info.class, DbCommand.Validate.class, DbCommand.Restore.class})
public final class DbCommand implements Callable<Integer> {
  private final String location;
  private final Supplier<Path> databaseFile;

  @Spec CommandSpec spec;

  /**
   * @param location Flyway location, {@link DatabaseOps#HOST} or {@link DatabaseOps#RELAY}
   * @param databaseFile resolves the database file from the parent command's parsed options; may
   *     throw IllegalArgumentException for a bad configuration
   */
  public DbCommand(String location, Supplier<Path> databaseFile) {
    this.location = Objects.requireNonNull(location, "location");
    this.databaseFile = Objects.requireNonNull(databaseFile, "databaseFile");
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  DatabaseOps ops() {
    return new DatabaseOps(databaseFile.get(), location);
  }

  /** Runs one operation, mapping its typed failures to a message and an exit code. */
  abstract static class Op implements Callable<Integer> {
    @ParentCommand DbCommand parent;
    @Spec CommandSpec spec;

    abstract int run(DatabaseOps ops, PrintWriter out);

    @Override
    public final Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      DatabaseOps ops;
      try {
        ops = parent.ops();
      } catch (IllegalArgumentException e) {
        err.println("bad configuration: " + e.getMessage());
        return 2;
      }
      try {
        int code = run(ops, out);
        out.flush();
        return code;
      } catch (DatabaseOpsException e) {
        err.println(spec.qualifiedName() + ": " + e.getMessage());
        err.flush();
        return 1;
      }
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = "Back up the database (if it has data and migrations are pending), then apply pending migrations.")
  static final class Migrate extends Op {
    @Override
    int run(DatabaseOps ops, PrintWriter out) {
      DatabaseOps.MigrateOutcome r = ops.migrate();
      if (r.backup() != null) {
        out.println("Backup: " + r.backup());
      }
      out.println("Migrated " + ops.file() + ": " + r.migrationsExecuted() + " migration(s) applied, schema version "
          + (r.fromVersion() == null ? "none" : r.fromVersion()) + " -> " + r.toVersion());
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Show the current schema version and every applied and pending migration.")
  static final class Info extends Op {
    @Override
    int run(DatabaseOps ops, PrintWriter out) {
      DatabaseOps.Info i = ops.info();
      out.println("Database: " + ops.file());
      out.println("Current version: " + (i.currentVersion() == null ? "none" : i.currentVersion()));
      out.printf("%-8s %-36s %-10s %s%n", "Version", "Description", "State", "Installed on (UTC)");
      print(out, i.applied());
      print(out, i.pending());
      out.println("Pending: " + i.pending().size());
      return 0;
    }

    private static void print(PrintWriter out, List<DatabaseOps.Migration> ms) {
      for (DatabaseOps.Migration m : ms) {
        out.printf("%-8s %-36s %-10s %s%n", m.version(), m.description(), m.state(),
            m.installedOn() == null ? "" : m.installedOn());
      }
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Check that applied migrations match this version's scripts (checksums); exit 1 if not.")
  static final class Validate extends Op {
    @Override
    int run(DatabaseOps ops, PrintWriter out) {
      List<String> problems = ops.validate();
      if (problems.isEmpty()) {
        out.println("Valid: applied migrations of " + ops.file() + " match this version's scripts.");
        return 0;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println("Invalid: " + ops.file());
      problems.forEach(p -> err.println("  " + p));
      err.flush();
      return 1;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Replace the database by BACKUP (stop the service first); the current file is kept aside.")
  static final class Restore extends Op {
    @Parameters(paramLabel = "BACKUP", description = "a backup written by 'db migrate' or 'backup'")
    Path backup;

    @Override
    int run(DatabaseOps ops, PrintWriter out) {
      DatabaseOps.RestoreOutcome r = ops.restore(backup);
      out.println("Restored " + ops.file() + " from " + backup.toAbsolutePath() + " (schema version "
          + r.restoredVersion() + ")");
      if (r.previousKeptAt() != null) {
        out.println("Previous database kept at " + r.previousKeptAt());
      }
      return 0;
    }
  }
}
