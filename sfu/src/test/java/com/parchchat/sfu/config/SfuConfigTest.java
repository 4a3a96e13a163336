package com.parchchat.sfu.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.sfu.srtp.SrtpProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SfuConfigTest {
  private static final String TOKEN = "t".repeat(32);
  private static final String ADMIN = "a".repeat(16);

  @Test
  void committedSampleLoads() throws Exception {
    SfuConfig c = SfuConfig.load(Path.of("sfu.sample.yaml"));
    assertThat(c.signalPort()).isEqualTo(7880);
    assertThat(c.mediaPort()).isEqualTo(7882);
    assertThat(c.srtpProfiles()).containsExactly(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM);
    assertThat(SfuConfig.defaults(TOKEN, ADMIN, "127.0.0.1").srtpProfiles()).isEqualTo(SfuConfig.DEFAULT_SRTP_PROFILES)
        .first().isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    assertThat(c.toString()).doesNotContain(c.tokenSecret()).doesNotContain(c.adminSecret());
  }

  @Test
  void badValuesNameTheirKey(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> SfuConfig.defaults("short", ADMIN, "127.0.0.1")).hasMessageStartingWith("tokenSecret");
    assertThatThrownBy(() -> SfuConfig.defaults(TOKEN, "short", "127.0.0.1")).hasMessageStartingWith("adminSecret");
    assertThatThrownBy(() -> SfuConfig.defaults(TOKEN, ADMIN, "localhost")).hasMessageStartingWith("signalHost");
    assertThatThrownBy(() -> SfuConfig.defaults(TOKEN, ADMIN, "0.0.0.0")).hasMessageStartingWith("advertisedAddresses");
    assertThatThrownBy(() -> SfuConfig.defaults(TOKEN, ADMIN, "127.0.0.1").withPorts(70000, 1))
        .hasMessageStartingWith("signalPort");
    assertThatThrownBy(() -> SfuConfig.defaults(TOKEN, ADMIN, "127.0.0.1").withRooms(0, 0))
        .hasMessageStartingWith("roomCapacity");
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, Files.readString(Path.of("sfu.sample.yaml")).replace("roomCapacity: 50", "roomCapacity: -1"));
    assertThatThrownBy(() -> SfuConfig.load(yaml)).hasMessageContaining("roomCapacity");
    Files.writeString(yaml, Files.readString(Path.of("sfu.sample.yaml")) + "\nnoSuchKey: 1\n");
    assertThatThrownBy(() -> SfuConfig.load(yaml)).hasMessageContaining("noSuchKey");
  }
}
