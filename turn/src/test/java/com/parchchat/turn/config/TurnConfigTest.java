package com.parchchat.turn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TurnConfigTest {

  private static TurnConfig.Builder valid() {
    TurnConfig.Builder b = TurnConfig.builder();
    b.listeningIp = "127.0.0.1";
    b.useAuthSecret = true;
    b.staticAuthSecret = "s3cret";
    return b;
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("listening-ip", (Consumer<TurnConfig.Builder>) b -> b.listeningIp = "example.com"),
        Arguments.of("listening-port", (Consumer<TurnConfig.Builder>) b -> b.listeningPort = 70000),
        Arguments.of("relay-ip", (Consumer<TurnConfig.Builder>) b -> b.listeningIp = "0.0.0.0"),
        Arguments.of("min-port", (Consumer<TurnConfig.Builder>) b -> {
          b.minPort = 60000;
          b.maxPort = 50000;
        }),
        Arguments.of("realm", (Consumer<TurnConfig.Builder>) b -> b.realm = " "),
        Arguments.of("static-auth-secret", (Consumer<TurnConfig.Builder>) b -> b.staticAuthSecret = null),
        Arguments.of("use-auth-secret", (Consumer<TurnConfig.Builder>) b -> b.useAuthSecret = false),
        Arguments.of("user-quota", (Consumer<TurnConfig.Builder>) b -> b.userQuota = -1),
        Arguments.of("max-bps", (Consumer<TurnConfig.Builder>) b -> b.maxBps = -5),
        Arguments.of("no-udp/no-tcp", (Consumer<TurnConfig.Builder>) b -> {
          b.udp = false;
          b.tcp = false;
        }),
        Arguments.of("admin-port", (Consumer<TurnConfig.Builder>) b -> b.adminPort = -2),
        Arguments.of("default-lifetime-seconds", (Consumer<TurnConfig.Builder>) b -> b.defaultLifetimeSeconds = 7200));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void badValuesNameTheirKey(String key, Consumer<TurnConfig.Builder> breakIt) {
    TurnConfig.Builder b = valid();
    breakIt.accept(b);
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(key);
  }

  @Test
  void toStringHidesSecrets() {
    TurnConfig.Builder b = valid();
    b.users = java.util.Map.of("bob", "hunter2");
    String s = b.build().toString();
    assertThat(s).doesNotContain("s3cret").doesNotContain("hunter2").contains("staticAuthSecret=***");
  }

  @Test
  void sampleYamlLoads() {
    TurnConfig.Builder b = TurnConfig.builder();
    TurnConfigLoader.applyYaml(Path.of("turn.sample.yaml"), b);
    TurnConfig c = b.build();
    assertThat(c.listeningPort()).isEqualTo(3478);
    assertThat(c.useAuthSecret()).isTrue();
    assertThat(c.allowLoopbackPeers()).isFalse();
    assertThat(c.minPort()).isEqualTo(49152);
    assertThat(c.dataPath()).isEqualTo(TurnConfig.DataPath.AUTO);
  }

  @Test
  void dataPathIsParsedAndABadOneNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.yaml");
    Files.writeString(f, "data-path: Netty\n");
    TurnConfig.Builder b = TurnConfig.builder();
    TurnConfigLoader.applyYaml(Path.of("turn.sample.yaml"), b);
    TurnConfigLoader.applyYaml(f, b);
    assertThat(b.build().dataPath()).isEqualTo(TurnConfig.DataPath.NETTY);
    Files.writeString(f, "data-path: fast\n");
    assertThatThrownBy(() -> TurnConfigLoader.applyYaml(f, TurnConfig.builder()))
        .hasMessageStartingWith("data-path").hasMessageContaining("auto, netty or native");
    b.dataPath = null; // an unset value means auto
    assertThat(b.build().dataPath()).isEqualTo(TurnConfig.DataPath.AUTO);
  }

  @Test
  void unknownKeyAndWrongTypeAreNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.yaml");
    Files.writeString(f, "min-prot: 5\n");
    assertThatThrownBy(() -> TurnConfigLoader.applyYaml(f, TurnConfig.builder()))
        .hasMessageContaining("unknown key 'min-prot'");
    Files.writeString(f, "min-port: lots\n");
    assertThatThrownBy(() -> TurnConfigLoader.applyYaml(f, TurnConfig.builder())).hasMessageStartingWith("min-port");
    Files.writeString(f, "allow-loopback-peers: 1\n");
    assertThatThrownBy(() -> TurnConfigLoader.applyYaml(f, TurnConfig.builder()))
        .hasMessageStartingWith("allow-loopback-peers");
  }
}
