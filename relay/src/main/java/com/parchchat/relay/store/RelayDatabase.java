package com.parchchat.relay.store;

import com.parchchat.migrations.DatabaseOps;
import com.parchchat.migrations.DatabaseOpsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's SQLite file, migrated with Flyway ({@code classpath:db/relay}) on open. One
 * connection, used under this object's lock: SQLite serialises writers anyway, and every caller
 * runs on the relay's blocking executor, never on an event loop.
 */
public final class RelayDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayDatabase.class);

  /** A unit of work on the connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Connection connection;

  private RelayDatabase(Connection connection) {
    this.connection = connection;
  }

  /** Applies pending relay migrations, after an automatic backup if the file has data (DatabaseOps). */
  public static void migrate(Path file) {
    try {
      new DatabaseOps(file, DatabaseOps.RELAY).migrate();
    } catch (DatabaseOpsException e) {
      throw new StoreException(e.getMessage(), e);
    }
  }

  public static RelayDatabase open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create database directory for " + file, e);
    }
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    migrate(file);
    try {
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = NORMAL");
        s.execute("PRAGMA foreign_keys = ON");
        s.execute("PRAGMA busy_timeout = 5000");
      }
      log.info("relay database open at {}", file.toAbsolutePath());
      return new RelayDatabase(c);
    } catch (SQLException e) {
      throw new StoreException("cannot open relay database " + file, e);
    }
  }

  /** Runs {@code work} alone on the connection (auto-commit: one statement, one transaction). */
  public synchronized <T> T read(Work<T> work) {
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreException(e.getMessage(), e);
    }
  }

  /** Runs {@code work} in one transaction, rolled back if it throws. */
  public synchronized <T> T transaction(Work<T> work) {
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException(e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("closing relay database failed: {}", e.getMessage());
    }
  }
}
