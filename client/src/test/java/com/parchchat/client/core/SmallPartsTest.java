package com.parchchat.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.ErrorCode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Backoff, pacing, config dirs, relay URLs, host keys, local files and error mapping. */
class SmallPartsTest {
  @TempDir Path dir;

  @Test
  void backoffDoublesWithJitterUpToTheCapAndResets() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    long[] ceilings = {100, 200, 400, 800, 1000, 1000};
    for (long c : ceilings) {
      long d = b.next().toMillis();
      assertThat(d).isBetween(c / 2, c);
    }
    b.reset();
    assertThat(b.next().toMillis()).isBetween(50L, 100L);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pacerAllowsABurstThenSpacesFrames() {
    Pacer p = new Pacer(10, 3);
    long t = System.nanoTime();
    assertThat(p.reserve(t)).isZero();
    assertThat(p.reserve(t)).isZero();
    assertThat(p.reserve(t)).isZero();
    assertThat(p.reserve(t)).isBetween(99_000_000L, 101_000_000L);
    assertThat(p.reserve(t)).isBetween(199_000_000L, 201_000_000L);
  }

  @Test
  void configDirFollowsXdg() {
    assertThat(ConfigDirs.fromEnvironment(Map.of("XDG_CONFIG_HOME", "/x/cfg"), "/home/a"))
        .isEqualTo(Path.of("/x/cfg/parch"));
    assertThat(ConfigDirs.fromEnvironment(Map.of("XDG_CONFIG_HOME", "relative"), "/home/a"))
        .isEqualTo(Path.of("/home/a/.config/parch"));
    assertThat(ConfigDirs.fromEnvironment(Map.of(), "/home/a")).isEqualTo(Path.of("/home/a/.config/parch"));
    assertThat(ConfigDirs.resolve(dir)).isEqualTo(dir);
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:7800, http://127.0.0.1:7800/, ws://127.0.0.1:7800/ws/client",
    "http://relay.example, http://relay.example/, ws://relay.example/ws/client",
    "https://relay.example:8443/x, https://relay.example:8443/, wss://relay.example:8443/ws/client",
    "[::1]:7800, http://[::1]:7800/, ws://[::1]:7800/ws/client",
  })
  void relayAddressesMapToHttpAndWebSocket(String typed, String http, String ws) {
    URI u = RelayUrls.parse(typed);
    assertThat(RelayUrls.httpBase(u)).hasToString(http);
    assertThat(RelayUrls.clientSocket(u)).hasToString(ws);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "ftp://x", "http://"})
  void badRelayAddressesAreRejectedWithAReason(String typed) {
    assertThatThrownBy(() -> RelayUrls.parse(typed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Relay address");
  }

  @Test
  void hostKeysAreTrimmedAndChecked() {
    assertThat(HostKeys.normalize("  h_abc-123\n")).isEqualTo("h_abc-123");
    assertThatThrownBy(() -> HostKeys.normalize("has space")).hasMessageContaining("Host Key must be");
    assertThatThrownBy(() -> HostKeys.normalize("")).hasMessage("Host Key is empty");
    assertThatThrownBy(() -> HostKeys.normalize("x".repeat(129))).hasMessageContaining("Host Key must be");
  }

  @Test
  void localStoreKeepsHostsInOrderAndTheTokenPrivate() throws Exception {
    LocalStore s = new LocalStore(dir.resolve("parch"));
    assertThat(s.hosts()).isEmpty();
    s.addHost(new LocalStore.SavedHost("h1", ""));
    s.addHost(new LocalStore.SavedHost("h2", "Two"));
    s.addHost(new LocalStore.SavedHost("h1", "One"));
    assertThat(s.hosts()).containsExactly(new LocalStore.SavedHost("h1", "One"), new LocalStore.SavedHost("h2", "Two"));
    s.removeHost("h1");
    assertThat(new LocalStore(dir.resolve("parch")).hosts()).containsExactly(new LocalStore.SavedHost("h2", "Two"));

    s.saveSession(new LocalStore.SavedSession("http://r", "ann", "secret-token"));
    assertThat(s.session().orElseThrow().token()).isEqualTo("secret-token");
    assertThat(s.session().orElseThrow().toString()).doesNotContain("secret-token");
    assertThat(Files.getPosixFilePermissions(dir.resolve("parch/session.json")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    s.clearSession();
    assertThat(s.session()).isEmpty();

    s.saveSettings(new LocalStore.Settings("light", "http://r"));
    assertThat(s.settings().theme()).isEqualTo("light");
  }

  @Test
  void corruptFilesAreIgnoredNotFatal() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("hosts.json"), "{not json");
    Files.writeString(dir.resolve("settings.json"), "[]");
    LocalStore s = new LocalStore(dir);
    assertThat(s.hosts()).isEmpty();
    assertThat(s.settings()).isEqualTo(LocalStore.Settings.DEFAULTS);
  }

  @ParameterizedTest
  @CsvSource({
    "401, '{\"code\":\"unauthorized\",\"message\":\"wrong username or password\"}', unauthorized, wrong username or password",
    "409, '{\"code\":\"conflict\",\"message\":\"username is taken\"}', conflict, username is taken",
    "429, '{}', rate_limited, The relay refused the request (HTTP 429)",
    "500, '{\"code\":\"from_the_future\",\"message\":\"?\"}', internal, ?",
  })
  void relayErrorsMapToTypedExceptions(int status, String body, String code, String message) throws Exception {
    ClientException e = AccountClient.error(status, new ObjectMapper().readTree(body));
    assertThat(e.code()).isEqualTo(ErrorCode.fromWire(code));
    assertThat(e.getMessage()).isEqualTo(message);
  }

  @Test
  void configIsValidated() {
    assertThatThrownBy(() -> new ClientConfig(dir, ClientConfig.DEFAULT_RELAY, Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 500, Duration.ofSeconds(1), 40, 1))
        .hasMessageContaining("historyPage");
    assertThatThrownBy(() -> ClientConfig.defaults(dir).withReconnect(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessageContaining("reconnectMax");
  }
}
