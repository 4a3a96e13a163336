package com.parchchat.bench.soak;

import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.voice.CallQuality;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceInput;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceSession;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.process.ChildMain;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * One soak voice participant in its own JVM, as a real user's desktop client is its own process: a
 * native failure in libwebrtc here ends this participant only, never the bench's chat clients.
 *
 * <p>It logs in as an existing soak user (a second device of that user: the bench JVM keeps the
 * user's chat client), attaches to the host, joins the space's voice channel with its own tone and
 * then prints one line a second on stdout for {@link SoakBench} to parse:
 *
 * <pre>
 * READY &lt;userId&gt;
 * EAR &lt;packets received, all calls&gt; &lt;loss fraction&gt; &lt;call state&gt; [&lt;memberId&gt;=&lt;hz&gt;,&lt;hz&gt; ...]
 * </pre>
 *
 * where each {@code memberId=...} lists the tones audible from that member in the last half second.
 * It leaves the call and exits when its stdin closes (the bench ended or died).
 *
 * <p>{@code <relay> <hostKey> <username> <password> <toneHz> <allTonesHz,...> <configDir>}
 */
public final class SoakVoiceParticipant {
  private SoakVoiceParticipant() {
  }

  public static void main(String[] args) {
    ChildMain.exitAfter("FAILED", 1, () -> run(args));
  }

  private static void run(String[] a) throws Exception {
    URI relay = URI.create(a[0]);
    String hostKey = a[1];
    String username = a[2];
    String password = a[3];
    double tone = Double.parseDouble(a[4]);
    double[] tones = Arrays.stream(a[5].split(",")).mapToDouble(Double::parseDouble).toArray();
    Path configDir = Path.of(a[6]);
    CountDownLatch stdinClosed = new CountDownLatch(1);
    Thread watcher = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // the parent writes nothing; EOF means it is done with us
        }
      } catch (IOException e) {
        // same as EOF
      }
      stdinClosed.countDown();
    }, "stdin-watch");
    watcher.setDaemon(true);
    watcher.start();

    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    try (ParchClient client = new ParchClient(ClientConfig.defaults(configDir).withDefaultRelay(relay))) {
      String userId = client.login(relay, username, password, false).get(2, TimeUnit.MINUTES).id();
      HostSession host = client.addHost(hostKey);
      until(() -> host.phase().get() == HostSession.Phase.READY, deadline, "host session ready");
      until(() -> !host.spaces().get().isEmpty() && host.spaces().get().get(0).channels().get().stream()
          .anyMatch(c -> c.kind() == ChannelKind.VOICE), deadline, "voice channel visible");
      SpaceState space = host.spaces().get().get(0);
      String lounge = space.channels().get().stream().filter(c -> c.kind() == ChannelKind.VOICE)
          .findFirst().orElseThrow().id();
      VoiceEngine engine = new VoiceEngine(VoiceConfig.headless());
      try (VoiceSession voice = VoiceSession.overWebSocket(host, engine, client.http())) {
        VoiceEar ear = new VoiceEar(tones);
        voice.setRemoteAudioTap(ear);
        voice.join(lounge, VoiceInput.tone(tone), new VoiceListener() { }).get(2, TimeUnit.MINUTES);
        System.out.println("READY " + userId);
        System.out.flush();
        report(voice, ear, stdinClosed);
        voice.leave();
      } finally {
        engine.close();
      }
    }
  }

  /** Once a second until stdin closes: packets, loss, state and what is heard from whom. */
  private static void report(VoiceSession voice, VoiceEar ear, CountDownLatch stdinClosed)
      throws InterruptedException {
    long total = 0;
    long lastOfCall = 0;
    VoiceCall counted = null;
    while (!stdinClosed.await(1, TimeUnit.SECONDS)) {
      VoiceCall c = voice.call();
      double loss = 0;
      String state = "NONE";
      if (c != null) {
        CallQuality q = c.quality();
        if (c != counted) {
          counted = c;
          lastOfCall = 0;
        }
        total += Math.max(0, q.packetsReceived() - lastOfCall);
        lastOfCall = q.packetsReceived();
        loss = q.lossFraction();
        state = c.state().name();
      }
      List<String> heard = new ArrayList<>();
      for (Map.Entry<String, Set<Double>> e : ear.heard().entrySet()) {
        if (!e.getValue().isEmpty()) {
          heard.add(e.getKey() + "=" + e.getValue().stream().map(hz -> String.format(Locale.ROOT, "%.0f", hz))
              .collect(Collectors.joining(",")));
        }
      }
      System.out.printf(Locale.ROOT, "EAR %d %.4f %s%s%n", total, loss, state,
          heard.isEmpty() ? "" : " " + String.join(" ", heard));
      System.out.flush();
    }
  }

  private static void until(BooleanSupplier c, long deadline, String what) throws InterruptedException {
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** For {@link SoakBench}: tones by member from one EAR line's member fields. */
  static Map<String, Set<Double>> parseHeard(String[] fields, int from) {
    Map<String, Set<Double>> m = new TreeMap<>();
    for (int i = from; i < fields.length; i++) {
      int eq = fields[i].lastIndexOf('=');
      if (eq > 0) {
        m.put(fields[i].substring(0, eq), Arrays.stream(fields[i].substring(eq + 1).split(","))
            .map(Double::parseDouble).collect(Collectors.toSet()));
      }
    }
    return m;
  }
}
