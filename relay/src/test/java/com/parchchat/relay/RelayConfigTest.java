package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.relay.config.RelayConfig;
import com.parchchat.relay.config.RelayConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config loading: defaults, the committed sample, overrides, and failures that name the key. */
class RelayConfigTest {
  @TempDir Path dir;

  @Test
  void committedSampleLoadsAndMatchesTheDefaults() {
    RelayConfig sample = RelayConfigLoader.load(Path.of("relay.sample.yaml"));
    RelayConfig defaults = RelayConfigLoader.load(null, Map.of());
    assertThat(sample).isEqualTo(defaults);
    assertThat(sample.port()).isEqualTo(7800);
    assertThat(sample.accounts().argon2MemoryKib()).isEqualTo(19456);
    assertThat(sample.limits().maxFrameBytes()).isEqualTo(65536);
  }

  @Test
  void fileAndFlagsOverrideInOrder() throws Exception {
    Path file = dir.resolve("relay.yaml");
    Files.writeString(file, "port: 9000\nlimits:\n  maxFrameBytes: 2048\nvoice:\n  sfuSecret: 0123456789abcdef0123456789abcdef\n");
    RelayConfig c = RelayConfigLoader.load(file, Map.of("port", 9001));
    assertThat(c.port()).isEqualTo(9001);
    assertThat(c.limits().maxFrameBytes()).isEqualTo(2048);
    assertThat(c.limits().messageBurst()).isEqualTo(200);
    assertThat(c.toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  void badConfigFailsNamingTheKey() throws Exception {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "limits:\n  maxFrameByte: 10\n");
    assertThatThrownBy(() -> RelayConfigLoader.load(typo)).hasMessageContaining("limits.maxFrameByte");
    assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("limits.maxFrameBytes", 10)))
        .hasMessageContaining("limits.maxFrameBytes");
    assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("mail.mode", "pigeon")))
        .hasMessageContaining("mail.mode");
    assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("tls.certificate", "/nonexistent.pem")))
        .hasMessageContaining("tls.");
    assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("voice.turnUrls", java.util.List.of("turn:"))))
        .hasMessageContaining("voice.turnUrls");
    assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("voice.sfuSecret", "short")))
        .hasMessageContaining("voice.sfuSecret");
    assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("port", "many")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
