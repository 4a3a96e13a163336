package com.parchchat.relay.config;

import java.nio.file.Path;

/**
 * Everything the relay needs to start, validated when built so a bad value fails at start with
 * the name of the key. Loaded by {@link RelayConfigLoader} from built-in defaults, an optional
 * YAML file and command-line flags, in that order.
 *
 * @param bind address to listen on
 * @param port TCP port for HTTP and WebSocket (0 picks a free port)
 * @param publicUrl base URL users reach the relay at; used in password-reset links
 * @param dataDir directory for the database and generated dev secrets
 * @param database SQLite file; relative paths resolve against {@code dataDir}
 * @param tls optional TLS from PEM files
 * @param limits every limit the relay enforces
 * @param accounts session and password-hashing settings
 * @param mail how password-reset mail leaves the relay
 * @param voice SFU and TURN settings for voice credentials
 */
public record RelayConfig(
    String bind,
    int port,
    String publicUrl,
    Path dataDir,
    Path database,
    TlsConfig tls,
    LimitsConfig limits,
    AccountsConfig accounts,
    MailConfig mail,
    VoiceConfig voice) {

  public RelayConfig {
    Check.notBlank("bind", bind);
    Check.range("port", port, 0, 65535);
    Check.notBlank("publicUrl", publicUrl);
    Check.url("publicUrl", publicUrl);
    Check.notNull("dataDir", dataDir);
    Check.notNull("database", database);
    tls = tls == null ? new TlsConfig(null, null) : tls;
    Check.notNull("limits", limits);
    Check.notNull("accounts", accounts);
    Check.notNull("mail", mail);
    Check.notNull("voice", voice);
  }

  /** The database file, resolved against the data directory. */
  public Path databaseFile() {
    return dataDir.resolve(database);
  }

  public RelayConfig withPort(int newPort) {
    return new RelayConfig(bind, newPort, publicUrl, dataDir, database, tls, limits, accounts, mail, voice);
  }
}
