package com.parchchat.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SfuMain} as its own process: starts from a YAML file, serves, stops on SIGTERM; bad config exits 2. */
class SfuMainProcessTest {
  private static List<String> java(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(ServiceProcess.javaBinary(), "-cp",
        System.getProperty("java.class.path"), SfuMain.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Test
  void startsFromYamlServesAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    int signal = FreePorts.tcp();
    int media = FreePorts.udp();
    Path yaml = dir.resolve("sfu.yaml");
    Files.writeString(yaml, Files.readString(Path.of("sfu.sample.yaml"))
        .replace("signalPort: 7880", "signalPort: " + signal)
        .replace("mediaPort: 7882", "mediaPort: " + media)
        .replace("tokenSecret: change-me-change-me-change-me-change-me", "tokenSecret: " + SfuFixture.TOKEN_SECRET));
    try (ServiceProcess p = ServiceProcess.builder("parch-sfu").command(java("--config", yaml.toString()))
        .logDir(dir).start()) {
      p.awaitHttp(URI.create("http://127.0.0.1:" + signal + "/health"), 200, Duration.ofSeconds(120));
      assertThat(p.output()).contains("SFU ready").doesNotContain(SfuFixture.TOKEN_SECRET);
      assertThat(p.stop(Duration.ofSeconds(10))).isIn(0, 143);
    }
  }

  @Test
  void badConfigExitsWithCode2NamingTheKey(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, Files.readString(Path.of("sfu.sample.yaml")).replace("loudestN: 0", "loudestN: -3"));
    try (ServiceProcess p = ServiceProcess.builder("parch-sfu-bad").command(java("--config", yaml.toString()))
        .logDir(dir).start()) {
      assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(p.output()).contains("loudestN");
    }
  }
}
