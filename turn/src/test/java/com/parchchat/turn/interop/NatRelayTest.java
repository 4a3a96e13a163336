package com.parchchat.turn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.testkit.netns.NatTopology;
import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.webrtc.ToneBotMain;
import com.parchchat.turn.TurnMain;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two libwebrtc clients in two network namespaces behind two strict MASQUERADE NATs (they
 * cannot reach each other directly) talk through our server running as its own JVM in the
 * "public" namespace. The WAN is a documentation range (198.51.100.0/24), so the server runs
 * with its default peer policy: no loopback or private peers needed.
 */
class NatRelayTest {
  private static final String SECRET = "nat-secret";

  @Test
  void botsBehindTwoNatsTalkThroughOurServer(@TempDir Path dir) throws Exception {
    try (NatTopology topo = NatTopology.create("198.51.100")) {
      String pub = topo.publicAddress();
      // our server as operators run it: the native data path's JVM flags, and --data-path=native so
      // the test fails rather than fall back if they stop working
      try (ServiceProcess turn = topo.publicHost().start("parch-turn", ServiceProcess.javaBinary(),
          "--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"), TurnMain.class.getName(), "--data-path=native",
          "--listening-ip=" + pub, "--listening-port=3478", "--relay-ip=" + pub, "--min-port=49160",
          "--max-port=49259", "--use-auth-secret", "--static-auth-secret=" + SECRET, "--realm=parch.test",
          "--admin-port=-1")) {
        turn.awaitOutput("data path native", Duration.ofSeconds(30));
        long expiry = System.currentTimeMillis() / 1000 + 3600;
        Credentials ca = RestCredentials.mint(SECRET, expiry, "a");
        Credentials cb = RestCredentials.mint(SECRET, expiry, "b");
        String url = "turn:" + pub + ":3478?transport=udp";
        Path offer = dir.resolve("offer.sdp");
        Path answer = dir.resolve("answer.sdp");
        try (ServiceProcess a = topo.siteA().host().startJava("bot-a", ToneBotMain.class, "--name", "a",
                "--tone", "440", "--role", "offer", "--sdp-out", offer.toString(), "--sdp-in", answer.toString(),
                "--turn", url, "--user", ca.username(), "--password", ca.password(),
                "--relay-only", "--expect", "440,660", "--seconds", "40");
            ServiceProcess b = topo.siteB().host().startJava("bot-b", ToneBotMain.class, "--name", "b",
                "--tone", "660", "--role", "answer", "--sdp-out", answer.toString(), "--sdp-in", offer.toString(),
                "--turn", url, "--user", cb.username(), "--password", cb.password(),
                "--relay-only", "--expect", "440,660", "--seconds", "40")) {
          a.awaitOutput("HEARD 660.0", Duration.ofSeconds(40));
          b.awaitOutput("HEARD 440.0", Duration.ofSeconds(40));
          a.awaitLine(Pattern.compile("pair=relay/udp->relay"), Duration.ofSeconds(10));
          assertThat(a.output()).doesNotContain("HEARD 440.0").doesNotContain(ca.password());
          assertThat(b.output()).doesNotContain("HEARD 660.0");
          // only the relay candidate on the public side travels in the offer, no LAN address
          assertThat(Files.readString(offer)).contains("typ relay").contains(pub).doesNotContain("typ host")
              .doesNotContain(topo.siteA().hostAddress());
        }
        assertThat(turn.output()).doesNotContain(SECRET).doesNotContain(ca.password());
        // SIGTERM: graceful shutdown deletes the allocations before the JVM exits
        turn.stop(Duration.ofSeconds(10));
        assertThat(turn.output()).containsPattern("TURN shutting down: \\d+ allocations");
      }
    }
  }
}
