package com.parchchat.host;

import com.parchchat.host.auth.HostIdentity;
import com.parchchat.host.config.DataDir;
import com.parchchat.host.config.HostConfig;
import com.parchchat.host.relaylink.Backoff;
import com.parchchat.host.relaylink.RelayLink;
import com.parchchat.host.relaylink.RelayRegistration;
import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreConfig;
import com.parchchat.migrations.DatabaseOps;
import com.parchchat.migrations.DbCommand;
import com.parchchat.protocol.signal.SignalCodec;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Command-line entry point of parch-host.jar. The first run creates the key and config in the
 * data directory and registers at the relay; every run then connects out to the relay and serves.
 */
@Command(
    name = "parch-host",
    mixinStandardHelpOptions = true,
    subcommands = {HostMain.Backup.class},
    description = "A Parch host: owns one community's spaces, channels, members and messages; connects out to a relay.")
public final class HostMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(HostMain.class);

  @Spec CommandSpec spec;

  @Option(names = "--data-dir", description = "data directory (default $XDG_DATA_HOME/parch-host or ~/.local/share/parch-host)")
  Path dataDir;

  @Option(names = "--relay", description = "relay base URL, e.g. https://relay.example.org (first run default http://127.0.0.1:7800)")
  URI relay;

  @Option(names = "--name", description = "community name for the first-run registration (prompted if absent)")
  String name;

  @Option(names = "--owner-token", description = "optional relay session token: registers the host as yours")
  String ownerToken;

  @Option(names = "--gui", description = "open a small status window (Host Key, relay status, users, log)")
  boolean gui;

  public static void main(String[] args) {
    HostMain main = new HostMain();
    // "parch-host [--data-dir DIR] db migrate|info|validate|restore": the data dir's host.db
    System.exit(new CommandLine(main)
        .addSubcommand(new DbCommand(DatabaseOps.HOST, () -> main.dataDir().databaseFile()))
        .execute(args));
  }

  DataDir dataDir() {
    return dataDir != null ? new DataDir(dataDir) : DataDir.defaultLocation(System.getenv());
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DataDir dir = dataDir();
    HostConfig config;
    try {
      config = firstRunOrLoad(dir, out);
    } catch (IOException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("parch-host: " + e.getMessage());
      return 2;
    }
    out.println("Host Key: " + config.hostId());
    out.flush();
    HostIdentity identity = HostIdentity.load(dir.keyFile());
    Store store = Store.open(new StoreConfig(dir.databaseFile(), config.readers(), config.maxBatch(),
        config.synchronousFull()));
    com.parchchat.host.message.SearchIndexer.attach(store);
    SignalCodec codec = new SignalCodec(config.limits());
    AtomicReference<RelayLink> linkRef = new AtomicReference<>();
    HostService service = new HostService(config, store, frame -> {
      RelayLink l = linkRef.get();
      if (l != null) {
        l.send(frame);
      }
    }, codec, System::currentTimeMillis);
    RelayLink link = new RelayLink(config.webSocketUri(), config.hostId(), identity, codec,
        new Backoff(config.reconnectMinMillis(), config.reconnectMaxMillis()), service);
    linkRef.set(link);
    link.start();
    log.info("host {} ('{}') serving from {}, relay {}", config.hostId(), config.name(), dir.root(), config.relay());

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      link.close();
      service.close();
      store.close();
      stopped.countDown();
    }, "host-shutdown"));
    if (gui) {
      StatusWindowLauncher.launch(config, link, service);
    }
    stopped.await();
    return 0;
  }

  private HostConfig firstRunOrLoad(DataDir dir, PrintWriter out) throws IOException, InterruptedException {
    HostConfig config;
    if (dir.hasConfig()) {
      config = dir.loadConfig();
      if (relay != null && !relay.equals(config.relay())) {
        config = config.withRelay(relay);
        dir.saveConfig(config);
      }
    } else {
      String community = name != null ? name : prompt();
      config = HostConfig.defaults(relay != null ? relay : HostConfig.DEFAULT_RELAY, community);
    }
    HostIdentity identity = HostIdentity.loadOrCreate(dir.keyFile());
    if (config.hostId() == null) {
      out.println("Registering '" + config.name() + "' at " + config.relay() + " ...");
      out.flush();
      String id = RelayRegistration.register(config.relay(), config.name(), identity, ownerToken);
      config = config.withHostId(id);
      dir.saveConfig(config);
      out.println("Registered. Give this Host Key to your users; they paste it into the Parch client.");
    }
    return config;
  }

  private static String prompt() throws IOException {
    Console console = System.console();
    if (console == null) {
      throw new IOException("first run needs a community name: pass --name");
    }
    String n = console.readLine("Community name: ");
    if (n == null || n.isBlank()) {
      throw new IOException("a community name is required");
    }
    return n.strip();
  }

  /** {@code parch-host backup <file>}: an online, consistent copy of the live database. */
  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Write a consistent copy of the host database to FILE while the host keeps running.")
  static final class Backup implements Callable<Integer> {
    @CommandLine.ParentCommand HostMain parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "backup file to create (must not exist)")
    Path target;

    @Override
    public Integer call() {
      Path db = parent.dataDir().databaseFile();
      if (!db.toFile().exists()) {
        spec.commandLine().getErr().println("parch-host: no database at " + db);
        return 2;
      }
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath())) {
        try (java.sql.Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout = 10000");
        }
        Store.backup(c, target);
      } catch (SQLException e) {
        spec.commandLine().getErr().println("parch-host: backup failed: " + e.getMessage());
        return 1;
      }
      spec.commandLine().getOut().println("Backup written to " + target.toAbsolutePath());
      return 0;
    }
  }
}
