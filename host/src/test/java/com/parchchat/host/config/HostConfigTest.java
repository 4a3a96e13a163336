package com.parchchat.host.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigTest {
  @TempDir Path dir;

  @Test
  void theCommittedSampleLoads() throws IOException {
    HostConfig c = DataDir.load(Path.of("host.sample.yaml"));
    assertThat(c.relay()).isEqualTo(URI.create("http://127.0.0.1:7800"));
    assertThat(c.hostId()).isNull();
    assertThat(c.limits().maxContentChars()).isEqualTo(4000);
    assertThat(c.webSocketUri()).isEqualTo(URI.create("ws://127.0.0.1:7800/ws/host"));
  }

  @Test
  void savesAndReloadsWithTheHostId() throws IOException {
    DataDir d = new DataDir(dir.resolve("data"));
    HostConfig c = HostConfig.defaults(URI.create("https://relay.example.org"), "Club").withHostId("h_1");
    d.saveConfig(c);
    HostConfig back = d.loadConfig();
    assertThat(back).isEqualTo(c);
    assertThat(back.webSocketUri()).isEqualTo(URI.create("wss://relay.example.org/ws/host"));
  }

  @Test
  void badValuesFailNamingTheKey() throws IOException {
    Path f = dir.resolve("host.yaml");
    Files.writeString(f, "relay: \"http://127.0.0.1:7800\"\nname: \"x\"\nvoiceCapacity: 0\n");
    assertThatThrownBy(() -> DataDir.load(f)).hasMessageContaining("voiceCapacity");
    Files.writeString(f, "relay: \"ftp://x\"\nname: \"x\"\n");
    assertThatThrownBy(() -> DataDir.load(f)).hasMessageContaining("relay");
    Files.writeString(f, "relay: \"http://127.0.0.1:7800\"\nname: \"x\"\nnoSuchKey: 1\n");
    assertThatThrownBy(() -> DataDir.load(f)).hasMessageContaining("noSuchKey");
  }

  @Test
  void dataDirFollowsXdg() {
    assertThat(DataDir.defaultLocation(Map.of("XDG_DATA_HOME", "/srv/data")).root())
        .isEqualTo(Path.of("/srv/data/parch-host"));
    assertThat(DataDir.defaultLocation(Map.of()).root())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local", "share", "parch-host"));
  }
}
