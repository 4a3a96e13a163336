package com.parchchat.e2e.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.voice.RemoteAudioTap;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceInput;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceSession;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.PcmRecorder;
import com.parchchat.testkit.process.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a newcomer runs it: {@code ./parch up --headless} starts relay,
 * TURN, SFU and a host; a headless client then chats and joins voice through that stack; Ctrl-C
 * (SIGINT) stops it, and no service process is left behind.
 */
class ParchUpSmokeTest {
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final double ALICE_HZ = 440;
  private static final double BOB_HZ = 660;
  private static final java.net.http.HttpClient HTTP =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private Process parch;
  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close();
    }
    if (parch != null && parch.isAlive()) {
      parch.descendants().forEach(ProcessHandle::destroyForcibly);
      parch.destroyForcibly();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closers.add(c);
    return c;
  }

  @Test
  void parchUpRunsTheStackForAChatAndACallThenCtrlCStopsEverything() throws Exception {
    Path root = Paths.get(System.getProperty("parch.root")).toRealPath();
    Path relayJar = Paths.get(System.getProperty("parch.jar.relay"));
    String target = relayJar.getParent().getFileName().toString();
    int relayPort = FreePorts.tcp();
    Path log = dir.resolve("parch-up.log");

    // `env --default-signal`: a runner started in the background (nohup, `&` in a script) hands its
    // children SIGINT ignored, and bash cannot trap a signal ignored on entry; a terminal never does
    ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT,TERM", "bash",
        root.resolve("parch").toString(), "up", "--headless")
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("PARCH_HOME", dir.resolve("home").toString());
    env.put("PARCH_TARGET", target);
    env.put("PARCH_RELAY_PORT", Integer.toString(relayPort));
    env.put("PARCH_SFU_SIGNAL_PORT", Integer.toString(FreePorts.tcp()));
    env.put("PARCH_SFU_MEDIA_PORT", Integer.toString(FreePorts.udp()));
    env.put("PARCH_TURN_PORT", Integer.toString(FreePorts.tcpAndUdp()));
    env.put("PARCH_TURN_ADMIN_PORT", Integer.toString(FreePorts.tcp()));
    parch = pb.start();

    await("parch up --headless reports the stack up").atMost(START).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          assertThat(parch.isAlive()).as("parch up exited early:\n%s", read(log)).isTrue();
          return read(log).contains("stack is up (headless)");
        });
    String output = read(log);
    Matcher m = HOST_KEY.matcher(output);
    assertThat(m.find()).as("Host Key printed:\n%s", output).isTrue();
    String hostKey = m.group(1);
    Map<String, Long> services = servicePids(dir.resolve("home/run"));
    assertThat(services).containsOnlyKeys("relay", "turn", "sfu", "host");
    java.net.URI relayUrl = java.net.URI.create("http://127.0.0.1:" + relayPort);

    // one chat message from alice reaches bob, through the stack that `up` started
    HostSession alice = user(relayUrl, hostKey, "alice");
    HostSession bob = user(relayUrl, hostKey, "bob");
    SpaceState space = alice.createSpace("Smoke").get(10, TimeUnit.SECONDS);
    Channel text = alice.createChannel(space.id(), "general", ChannelKind.TEXT).get(10, TimeUnit.SECONDS);
    Channel lounge = alice.createChannel(space.id(), "Lounge", ChannelKind.VOICE).get(10, TimeUnit.SECONDS);
    alice.inviteUser(space.id(), "bob").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> !bob.invites().get().isEmpty());
    bob.acceptInvite(bob.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
    bob.openChannel(text.id()).get(10, TimeUnit.SECONDS);
    alice.openChannel(text.id()).get(10, TimeUnit.SECONDS);
    alice.send(text.id(), "hello from the smoke test", null);
    await().atMost(WAIT).until(() -> bob.log(text.id()).lines().stream()
        .anyMatch(l -> l.message().content().equals("hello from the smoke test")));

    // voice: alice's tone reaches bob through the SFU that `up` started
    VoiceEngine aliceEngine = closeLater(new VoiceEngine(VoiceConfig.headless()));
    VoiceSession aliceVoice = closeLater(VoiceSession.overWebSocket(alice, aliceEngine, HTTP));
    aliceVoice.join(lounge.id(), VoiceInput.tone(ALICE_HZ), new VoiceListener() { }).get(30, TimeUnit.SECONDS);
    VoiceEngine bobEngine = closeLater(new VoiceEngine(VoiceConfig.headless()));
    VoiceSession bobVoice = closeLater(VoiceSession.overWebSocket(bob, bobEngine, HTTP));
    VoiceCall bobCall = bobVoice.join(lounge.id(), VoiceInput.tone(BOB_HZ), new VoiceListener() { })
        .get(30, TimeUnit.SECONDS);
    Heard heard = new Heard();
    bobCall.setRemoteAudioTap(heard);
    await("bob hears alice's 440 Hz tone").atMost(WAIT).untilAsserted(() ->
        assertThat(heard.analyze().present()).containsExactly(ALICE_HZ));
    bobVoice.leave();
    aliceVoice.leave();

    // Ctrl-C stops everything
    new ProcessBuilder("kill", "-INT", Long.toString(parch.pid())).inheritIO().start().waitFor();
    assertThat(parch.waitFor(60, TimeUnit.SECONDS)).as("parch up exits after Ctrl-C:\n%s", read(log)).isTrue();
    for (Map.Entry<String, Long> s : services.entrySet()) {
      await(s.getKey() + " is gone").atMost(Duration.ofSeconds(15))
          .until(() -> ProcessHandle.of(s.getValue()).map(h -> !h.isAlive()).orElse(true));
    }
    assertThat(read(log)).contains("stopped relay", "stopped host", "stopped sfu", "stopped turn");
  }

  private HostSession user(java.net.URI relayUrl, String hostKey, String name) throws Exception {
    ClientConfig cfg = ClientConfig.defaults(dir.resolve("client-" + name)).withDefaultRelay(relayUrl)
        .withReconnect(Duration.ofMillis(200), Duration.ofMillis(400));
    ParchClient client = closeLater(new ParchClient(cfg));
    client.register(relayUrl, name, name, name + "@example.org", "password-" + name).get(30, TimeUnit.SECONDS);
    HostSession host = client.addHost(hostKey);
    await().atMost(WAIT).until(() -> host.phase().get() == HostSession.Phase.READY);
    return host;
  }

  private static Map<String, Long> servicePids(Path run) throws IOException {
    Map<String, Long> pids = new HashMap<>();
    try (var files = Files.list(run)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".pid")) {
          pids.put(name.substring(0, name.length() - 4), Long.parseLong(Files.readString(p).trim()));
        }
      }
    }
    return pids;
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  /** The last half second of everything bob receives: alice's tone, never bob's own. */
  private static final class Heard implements RemoteAudioTap {
    private final PcmRecorder recorder = new PcmRecorder(24_000);

    @Override
    public void onAudio(String userId, byte[] pcm, int bits, int rate, int channels, int frames) {
      recorder.accept(pcm, bits, rate, channels, frames);
    }

    FrequencyDetector.Result analyze() {
      return recorder.analyze(new FrequencyDetector(), ALICE_HZ, BOB_HZ);
    }
  }
}
