package com.parchchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuned relaunch: its command line, the AppCDS archive life cycle, and when it is skipped. */
class RelaunchTest {
  @TempDir Path dir;

  @Test
  void childRunsTheSameJarWithTunedOptionsAndTheUsersOptionsLast() throws Exception {
    Path jar = Files.writeString(dir.resolve("parch-client.jar"), "jar");
    Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString(),
        "PARCH_JAVA_OPTIONS", "-Dextra=1  -Dmore=2");
    List<String> cmd = Relaunch.command(jar, new String[] {"--relay", "http://127.0.0.1:7800"}, env,
        dir.resolve("ready"), List.of("-Dprism.order=sw"));
    assertThat(cmd.get(0)).endsWith("/bin/java");
    assertThat(cmd).containsSubsequence("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dparch.tuned=true",
        "-Dprism.order=sw", "-Dextra=1", "-Dmore=2", "-cp", jar.toString(), ClientLauncher.class.getName(),
        "--relay", "http://127.0.0.1:7800");
    assertThat(cmd).contains("-Dparch.launch.ready=" + dir.resolve("ready"));
    assertThat(cmd).anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit=" + dir.resolve("cache/parch/cds")));
  }

  @Test
  void aSoftwareFallbackIsRememberedSoTheNextLaunchSkipsTheOpenGlProbe() {
    Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString());
    String before = System.getProperty("prism.order");
    System.clearProperty("prism.order");
    try {
      Relaunch.chooseRenderer(env);
      assertThat(System.getProperty("prism.order")).as("nothing remembered yet").isNull();
      Relaunch.rememberRenderer("com.sun.prism.sw.SWPipeline", env);
      Relaunch.chooseRenderer(env);
      assertThat(System.getProperty("prism.order")).isEqualTo("sw");
      Relaunch.rememberRenderer("com.sun.prism.sw.SWPipeline", env);
      assertThat(dir.resolve("cache/parch/prism")).isDirectoryContaining(p -> p.getFileName().toString()
          .startsWith("software-"));

      // a GPU that works (the user forced es2 once, or the marker was older): forgotten
      System.clearProperty("prism.order");
      System.clearProperty(Relaunch.SW_FROM_PROBE);
      Relaunch.rememberRenderer("com.sun.prism.es2.ES2Pipeline", env);
      Relaunch.chooseRenderer(env);
      assertThat(System.getProperty("prism.order")).isNull();
    } finally {
      System.clearProperty(Relaunch.SW_FROM_PROBE);
      if (before == null) {
        System.clearProperty("prism.order");
      } else {
        System.setProperty("prism.order", before);
      }
    }
  }

  @Test
  void aCollectorChosenByTheUserReplacesOurs() throws Exception {
    Path jar = Files.writeString(dir.resolve("parch-client.jar"), "jar");
    List<String> cmd = Relaunch.command(jar, new String[0], Map.of("PARCH_CDS", "0"), dir.resolve("r"),
        List.of("-XX:+UseG1GC"));
    assertThat(cmd).doesNotContain("-XX:+UseSerialGC").contains("-XX:+UseG1GC");
    assertThat(cmd).noneMatch(a -> a.contains("SharedArchiveFile") || a.contains("ArchiveClassesAtExit"));
  }

  @Test
  void theArchiveIsWrittenOnceThenMappedAndReplacedWhenTheJarChanges() throws Exception {
    Path jar = Files.writeString(dir.resolve("parch-client.jar"), "jar");
    Map<String, String> env = Map.of("XDG_CACHE_HOME", dir.toString());
    List<String> first = Relaunch.cdsOptions(jar, env);
    String archive = first.get(0).substring("-XX:ArchiveClassesAtExit=".length());
    assertThat(first.get(0)).startsWith("-XX:ArchiveClassesAtExit=");
    Files.writeString(Path.of(archive), "archive written at exit");
    assertThat(Relaunch.cdsOptions(jar, env)).contains("-XX:SharedArchiveFile=" + archive);

    Files.writeString(jar, "a new build of the jar");
    List<String> afterUpdate = Relaunch.cdsOptions(jar, env);
    assertThat(afterUpdate.get(0)).startsWith("-XX:ArchiveClassesAtExit=").doesNotContain(archive);
    assertThat(Path.of(archive)).doesNotExist(); // the stale archive is gone
  }

  @Test
  void notWantedWhenOptedOutAskedForHelpOrRunningFromClasses() {
    assertThat(Relaunch.wanted(new String[0], Map.of("PARCH_NO_RELAUNCH", "1"))).isFalse();
    assertThat(Relaunch.wanted(new String[] {"--help"}, Map.of())).isFalse();
    // tests run from target/classes, not from a jar
    assertThat(Relaunch.ownJar()).isNull();
    assertThat(Relaunch.wanted(new String[0], Map.of())).isFalse();
  }
}
