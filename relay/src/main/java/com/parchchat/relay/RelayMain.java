package com.parchchat.relay;

import com.parchchat.relay.config.RelayConfig;
import com.parchchat.migrations.DatabaseOps;
import com.parchchat.migrations.DbCommand;
import com.parchchat.relay.config.RelayConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command-line entry point of parch-relay.jar. Flags override the YAML file, which overrides defaults. */
@Command(
    name = "parch-relay",
    mixinStandardHelpOptions = true,
    description = "The Parch relay: accounts, host registry, routing between clients and hosts, voice credentials.")
public final class RelayMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RelayMain.class);

  @Option(names = {"-c", "--config"}, description = "YAML config file (see relay.sample.yaml)")
  Path configFile;

  @Option(names = "--bind", description = "address to listen on (default 127.0.0.1)")
  String bind;

  @Option(names = {"-p", "--port"}, description = "HTTP/WebSocket port (default 7800; 0 = any free port)")
  Integer port;

  @Option(names = "--public-url", description = "base URL users reach the relay at (reset links)")
  String publicUrl;

  @Option(names = "--data-dir", description = "directory for the database and generated dev secrets")
  Path dataDir;

  @Option(names = "--db", description = "SQLite database file (relative to the data dir)")
  Path database;

  @Option(names = "--tls-cert", description = "PEM certificate chain; enables TLS with --tls-key")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM PKCS#8 private key")
  Path tlsKey;

  @Option(names = "--mail", description = "console or smtp")
  String mailMode;

  @Option(names = "--smtp-host", description = "SMTP server host")
  String smtpHost;

  @Option(names = "--smtp-port", description = "SMTP server port")
  Integer smtpPort;

  @Option(names = "--sfu-url", description = "SFU signalling WebSocket URL handed to clients")
  String sfuUrl;

  @Option(names = "--sfu-admin-url", description = "SFU admin API base URL (kick)")
  String sfuAdminUrl;

  @Option(names = "--turn-url", description = "TURN URL handed to clients (repeatable)")
  List<String> turnUrls;

  @Option(names = "--request-timeout-ms", description = "a host request unanswered this long gets 'unavailable'")
  Long requestTimeoutMillis;

  @Option(names = "--argon2-memory-kib", description = "Argon2id memory cost (default 19456, OWASP)")
  Integer argon2MemoryKib;

  public static void main(String[] args) {
    RelayMain main = new RelayMain();
    // "parch-relay [options] db migrate|info|validate|restore": the database the options name
    System.exit(new CommandLine(main)
        .addSubcommand(new DbCommand(DatabaseOps.RELAY, () -> main.config().databaseFile()))
        .execute(args));
  }

  /** The config these flags describe. */
  RelayConfig config() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("bind", bind);
    o.put("port", port);
    o.put("publicUrl", publicUrl);
    o.put("dataDir", dataDir);
    o.put("database", database);
    o.put("tls.certificate", tlsCert);
    o.put("tls.privateKey", tlsKey);
    o.put("mail.mode", mailMode);
    o.put("mail.smtpHost", smtpHost);
    o.put("mail.smtpPort", smtpPort);
    o.put("voice.sfuUrl", sfuUrl);
    o.put("voice.sfuAdminUrl", sfuAdminUrl);
    o.put("voice.turnUrls", turnUrls);
    o.put("limits.requestTimeoutMillis", requestTimeoutMillis);
    o.put("accounts.argon2MemoryKib", argon2MemoryKib);
    return RelayConfigLoader.load(configFile, o);
  }

  @Override
  public Integer call() throws InterruptedException {
    RelayConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      log.error("bad configuration: {}", e.getMessage());
      return 2;
    }
    Relay relay;
    try {
      relay = Relay.start(config);
    } catch (IllegalArgumentException e) {
      log.error("cannot start: {}", e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  relay.close();
                  stopped.countDown();
                },
                "relay-shutdown"));
    log.info("parch-relay ready on port {}", relay.port());
    stopped.await();
    return 0;
  }
}
