package com.parchchat.host.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The host's data directory: {@code host.yaml} (config, including the Host Key once
 * registered), {@code host.key} (Ed25519 key pair, mode 0600) and {@code host.db} (SQLite, with
 * its {@code -wal}/{@code -shm} files). Defaults to {@code $XDG_DATA_HOME/parch-host}, or
 * {@code ~/.local/share/parch-host} when XDG_DATA_HOME is unset.
 */
public record DataDir(Path root) {
  private static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  public static DataDir defaultLocation(Map<String, String> env) {
    String xdg = env.get("XDG_DATA_HOME");
    Path base = xdg != null && !xdg.isBlank()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".local", "share");
    return new DataDir(base.resolve("parch-host"));
  }

  public Path configFile() {
    return root.resolve("host.yaml");
  }

  public Path keyFile() {
    return root.resolve("host.key");
  }

  public Path databaseFile() {
    return root.resolve("host.db");
  }

  public boolean hasConfig() {
    return Files.exists(configFile());
  }

  /** Reads and validates {@code host.yaml}; a bad key fails with a message naming it. */
  public HostConfig loadConfig() throws IOException {
    return load(configFile());
  }

  public static HostConfig load(Path file) throws IOException {
    try {
      HostConfig c = YAML.readValue(file.toFile(), HostConfig.class);
      if (c == null) {
        throw new IOException(file + " is empty");
      }
      return c;
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("invalid config " + file + ": " + cause.getMessage(), e);
    }
  }

  /** Writes {@code host.yaml} atomically (temp file + rename). */
  public void saveConfig(HostConfig config) throws IOException {
    Files.createDirectories(root);
    Path tmp = root.resolve("host.yaml.tmp");
    YAML.writeValue(tmp.toFile(), config);
    Files.move(tmp, configFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
