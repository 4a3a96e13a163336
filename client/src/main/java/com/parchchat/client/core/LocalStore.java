package com.parchchat.client.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's files in its config dir: {@code hosts.json} (the user's host list, in order),
 * {@code session.json} (the remembered login; owner-only permissions because it holds a bearer
 * token) and {@code settings.json} (theme). Writes go to a temp file and are moved into place so a
 * crash never leaves half a file. A corrupt file is logged and treated as empty, never fatal.
 */
public final class LocalStore {
  private static final Logger log = LoggerFactory.getLogger(LocalStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A host in the user's list. {@code hostKey} is the relay-assigned host id. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SavedHost(String hostKey, String name) {
    public SavedHost {
      HostKeys.requireValid(hostKey);
      name = name == null ? "" : name;
    }
  }

  /** A remembered login. The token is a secret: it never appears in {@link #toString()}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SavedSession(String relayUrl, String username, String token) {
    @Override
    public String toString() {
      return "SavedSession[relayUrl=" + relayUrl + ", username=" + username + ", token=***]";
    }
  }

  /** User preferences. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Settings(String theme, String relayUrl) {
    public static final Settings DEFAULTS = new Settings("dark", null);

    public Settings {
      theme = "light".equals(theme) ? "light" : "dark";
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record HostsFile(List<SavedHost> hosts) {}

  private final Path dir;

  public LocalStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public synchronized List<SavedHost> hosts() {
    return read("hosts.json", HostsFile.class)
        .map(f -> f.hosts() == null ? List.<SavedHost>of() : List.copyOf(f.hosts()))
        .orElse(List.of());
  }

  /** Adds a host at the end of the list; a host already in the list keeps its place. */
  public synchronized List<SavedHost> addHost(SavedHost host) {
    List<SavedHost> hosts = new ArrayList<>(hosts());
    boolean present = false;
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i).hostKey().equals(host.hostKey())) {
        present = true;
        if (!host.name().isEmpty()) {
          hosts.set(i, host);
        }
      }
    }
    if (!present) {
      hosts.add(host);
    }
    write("hosts.json", new HostsFile(hosts), false);
    return List.copyOf(hosts);
  }

  public synchronized List<SavedHost> removeHost(String hostKey) {
    List<SavedHost> hosts = new ArrayList<>(hosts());
    hosts.removeIf(h -> h.hostKey().equals(hostKey));
    write("hosts.json", new HostsFile(hosts), false);
    return List.copyOf(hosts);
  }

  public synchronized Optional<SavedSession> session() {
    return read("session.json", SavedSession.class).filter(s -> s.token() != null);
  }

  public synchronized void saveSession(SavedSession session) {
    write("session.json", session, true);
  }

  public synchronized void clearSession() {
    try {
      Files.deleteIfExists(dir.resolve("session.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir.resolve("session.json"), e);
    }
  }

  public synchronized Settings settings() {
    return read("settings.json", Settings.class).orElse(Settings.DEFAULTS);
  }

  public synchronized void saveSettings(Settings settings) {
    write("settings.json", settings, false);
  }

  private <T> Optional<T> read(String name, Class<T> type) {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(JSON.readValue(file.toFile(), type));
    } catch (IOException | IllegalArgumentException e) {
      log.warn("ignoring unreadable {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  private void write(String name, Object value, boolean secret) {
    Path file = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, name, ".tmp");
      if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
