package com.parchchat.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.turn.config.TurnConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TurnMainTest {

  @Test
  void helpListsCoturnOptions() {
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new TurnMain());
    cmd.setOut(new PrintWriter(out));
    assertThat(cmd.execute("--help")).isZero();
    assertThat(out.toString()).contains("--listening-ip", "--listening-port", "--relay-ip", "--min-port", "--max-port",
        "--realm", "--use-auth-secret", "--static-auth-secret", "--allow-loopback-peers", "--user-quota",
        "--total-quota", "--max-bps", "--config", "--admin-port", "--data-path", "jdk.incubator.foreign");
  }

  @Test
  void flagsOverrideYaml(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("turn.yaml");
    Files.writeString(yaml, "listening-ip: 127.0.0.1\nmin-port: 50000\nmax-port: 50100\nrealm: from-yaml\n"
        + "use-auth-secret: true\nstatic-auth-secret: yaml-secret\nuser-quota: 3\n");
    TurnMain main = new TurnMain();
    new CommandLine(main).parseArgs("--config", yaml.toString(), "--realm=from-flag", "--max-port=50200",
        "--allow-loopback-peers", "--total-quota=9", "--max-bps=64000", "-u", "bob:pw");
    TurnConfig c = main.buildConfig();
    assertThat(c.realm()).isEqualTo("from-flag");
    assertThat(c.minPort()).isEqualTo(50000);
    assertThat(c.maxPort()).isEqualTo(50200);
    assertThat(c.userQuota()).isEqualTo(3);
    assertThat(c.totalQuota()).isEqualTo(9);
    assertThat(c.maxBps()).isEqualTo(64000);
    assertThat(c.allowLoopbackPeers()).isTrue();
    assertThat(c.staticAuthSecret()).isEqualTo("yaml-secret");
    assertThat(c.users()).containsEntry("bob", "pw");
  }

  @Test
  void coturnOnlyFlagsAreAccepted() {
    TurnMain main = new TurnMain();
    new CommandLine(main).parseArgs("-n", "--listening-ip=127.0.0.1", "--fingerprint", "--no-cli", "--no-tls",
        "--no-dtls", "--static-auth-secret=S", "--use-auth-secret");
    assertThat(main.buildConfig().useAuthSecret()).isTrue();
  }

  @Test
  void dataPathFlag() {
    TurnMain main = new TurnMain();
    new CommandLine(main).parseArgs("--listening-ip=127.0.0.1", "--static-auth-secret=S", "--use-auth-secret",
        "--data-path=native");
    assertThat(main.buildConfig().dataPath()).isEqualTo(TurnConfig.DataPath.NATIVE);
  }

  @Test
  void badConfigExitsWithUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new TurnMain());
    cmd.setErr(new PrintWriter(err));
    assertThat(cmd.execute("--listening-ip=127.0.0.1")).isEqualTo(2);
  }
}
