package com.parchchat.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code parch-host backup FILE} against a live database that keeps taking writes. */
class HostMainBackupTest {
  @TempDir Path dir;

  @Test
  void backupSubcommandCopiesALiveDatabase() throws Exception {
    Path data = dir.resolve("data");
    try (Store store = Store.open(StoreConfig.defaults(data.resolve("host.db")))) {
      store.write(db -> db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES ('kept', 'u', 0)")).join();
      CompletableFuture<?> busy = CompletableFuture.allOf(java.util.stream.IntStream.range(0, 300)
          .mapToObj(i -> store.write(db -> db.insert("INSERT INTO spaces(name, owner_id, created_at) VALUES (?, 'u', 0)",
              "s" + i)))
          .toArray(CompletableFuture[]::new));
      StringWriter out = new StringWriter();
      CommandLine cli = new CommandLine(new HostMain()).setOut(new PrintWriter(out));
      Path backup = dir.resolve("backup.db");
      int code = cli.execute("--data-dir", data.toString(), "backup", backup.toString());
      busy.join();
      assertThat(code).isZero();
      assertThat(out.toString()).contains("Backup written to");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + backup);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM spaces WHERE name = 'kept'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      // refusing to overwrite, with a non-zero exit code and no exception
      StringWriter err = new StringWriter();
      int again = new CommandLine(new HostMain()).setErr(new PrintWriter(err))
          .execute("--data-dir", data.toString(), "backup", backup.toString());
      assertThat(again).isNotZero();
      assertThat(err.toString()).contains("already exists");
    }
  }

  @Test
  void backupWithoutADatabaseFailsClearly() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new HostMain()).setErr(new PrintWriter(err))
        .execute("--data-dir", dir.resolve("empty").toString(), "backup", dir.resolve("b.db").toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("no database");
  }
}
