package com.parchchat.e2e.voice;

import com.parchchat.bench.soak.VoiceEar;
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
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.process.ChildMain;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A headless Parch user as its own JVM, for clients that live inside a network namespace: registers at
 * the relay, meets the others in a space on the host (the owner creates it and invites; members accept),
 * joins its voice channel through the host with a tone, and prints what it hears:
 * {@code HEARD <hz> FROM <user id>} once per tone and member, {@code PAIR <local candidate type>} when the
 * selected ICE pair changes, {@code IN CALL} when connected, {@code FAILED ...} on an error.
 *
 * <p>Arguments: {@code --relay URL --host-key K --name N --tone HZ --data DIR --seconds S
 * [--invite a,b] [--listen 440,550,660]}.
 */
public final class VoiceClientMain {

  private VoiceClientMain() {
  }

  public static void main(String[] args) {
    ChildMain.exitAfter("FAILED", 1, () -> run(ChildMain.options(args)));
  }

  private static void run(Map<String, String> o) throws Exception {
    URI relay = URI.create(o.get("relay"));
    String name = o.get("name");
    double tone = Double.parseDouble(o.get("tone"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.getOrDefault("seconds", "60")));
    double[] listen = Arrays.stream(o.getOrDefault("listen", "440,550,660").split(","))
        .mapToDouble(Double::parseDouble).toArray();

    ClientConfig cfg = ClientConfig.defaults(Path.of(o.get("data"))).withDefaultRelay(relay)
        .withReconnect(Duration.ofMillis(200), Duration.ofMillis(400));
    try (ParchClient client = new ParchClient(cfg);
         VoiceEngine engine = new VoiceEngine(VoiceConfig.headless())) {
      client.register(relay, name, name, name + "@example.org", "password-" + name).get(30, TimeUnit.SECONDS);
      System.out.println("REGISTERED " + client.account().get().user().id());
      HostSession host = client.addHost(o.get("host-key"));
      until(() -> host.phase().get() == HostSession.Phase.READY, deadline, "host session");

      Channel lounge;
      if (o.containsKey("invite")) {
        SpaceState space = host.createSpace("NAT Team").get(10, TimeUnit.SECONDS);
        lounge = host.createChannel(space.id(), "Lounge", ChannelKind.VOICE).get(10, TimeUnit.SECONDS);
        List<String> invitees = List.of(o.get("invite").split(","));
        for (String who : invitees) {
          // the invitee may not have registered yet: retry until the relay knows the name
          until(() -> {
            try {
              host.inviteUser(space.id(), who).get(10, TimeUnit.SECONDS);
              return true;
            } catch (Exception e) {
              return false;
            }
          }, deadline, "invite " + who);
        }
        until(() -> space.members().get().size() == invitees.size() + 1, deadline, "invitees joining");
      } else {
        until(() -> !host.invites().get().isEmpty(), deadline, "an invite");
        SpaceState space = host.acceptInvite(host.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
        until(() -> space.channels().get().stream().anyMatch(c -> c.kind() == ChannelKind.VOICE), deadline,
            "a voice channel");
        lounge = space.channels().get().stream().filter(c -> c.kind() == ChannelKind.VOICE).findFirst().orElseThrow();
      }

      VoiceEar ear = new VoiceEar(listen);
      VoiceSession voice = VoiceSession.overWebSocket(host, engine, client.http());
      VoiceCall call = voice.join(lounge.id(), VoiceInput.tone(tone), new VoiceListener() {
        @Override
        public void onStateChanged(VoiceCall.State state, String detail) {
          System.out.println("STATE " + state + " " + detail);
        }
      }).get(30, TimeUnit.SECONDS);
      call.setRemoteAudioTap(ear);

      Set<String> printed = new HashSet<>();
      String pair = null;
      while (System.nanoTime() < deadline) {
        for (var m : call.members()) {
          for (double hz : ear.from(m.userId())) {
            if (printed.add(hz + "/" + m.userId())) {
              System.out.println("HEARD " + hz + " FROM " + m.userId());
            }
          }
        }
        CallQuality q = call.quality();
        if (q.localCandidate() != null && !q.localCandidate().equals(pair)) {
          pair = q.localCandidate();
          System.out.println("PAIR " + pair);
        }
        System.out.flush();
        Thread.sleep(200);
      }
      voice.leave();
    }
  }

  private static void until(BooleanSupplier condition, long deadline, String what) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
