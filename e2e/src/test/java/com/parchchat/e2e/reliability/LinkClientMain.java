package com.parchchat.e2e.reliability;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.RelayConnection;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.process.ChildMain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A headless {@code client.core} user as its own JVM, run inside the network namespace whose link
 * {@link DroppedLinkE2ETest} cuts. It registers, accepts the first invite on the host, opens the
 * space's text channel and then posts {@code roamer <n>} every {@code --send-every-ms} until the file
 * {@code <control>/stop-sending} exists. It reports on stdout, one line each:
 * {@code STATE <state> <epoch ms> <detail>} on every relay connection change, {@code SENT <text>},
 * {@code ACKED <text>} once its own message is stored by the host, {@code STOPPED} once it saw the
 * stop file (no {@code SENT} follows). When {@code <control>/dump} exists
 * it waits for its outbox to drain, prints its view of the channel as {@code VIEW <id> <author id>
 * <nonce> <text>} lines, {@code PENDING <n>} and {@code DUMPED}, and exits.
 *
 * <p>Arguments: {@code --relay URL --host-key K --name N --data DIR --control DIR --idle-ms MS
 * --send-every-ms MS --seconds S}.
 */
public final class LinkClientMain {

  private LinkClientMain() {
  }

  public static void main(String[] args) {
    ChildMain.exitAfter("FAILED", 1, () -> run(ChildMain.options(args)));
  }

  private static void run(Map<String, String> o) throws Exception {
    URI relay = URI.create(o.get("relay"));
    String name = o.get("name");
    Path control = Path.of(o.get("control"));
    long sendEvery = Long.parseLong(o.get("send-every-ms"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.get("seconds")));
    ClientConfig defaults = ClientConfig.defaults(Path.of(o.get("data")));
    // short idle timeout (pings every third of it), quick reconnects, quick outbox re-sends
    ClientConfig cfg = new ClientConfig(defaults.configDir(), relay, defaults.requestTimeout(),
        Duration.ofMillis(Long.parseLong(o.get("idle-ms"))), Duration.ofMillis(200), Duration.ofMillis(1000),
        defaults.historyPage(), Duration.ofSeconds(1), defaults.maxFramesPerSecond(), defaults.maxInFlightSends());
    try (ParchClient client = new ParchClient(cfg)) {
      client.register(relay, name, name, name + "@example.org", "password-" + name).get(30, TimeUnit.SECONDS);
      System.out.println("REGISTERED " + client.account().get().user().id());
      HostSession host = client.addHost(o.get("host-key"));
      until(() -> host.phase().get() == HostSession.Phase.READY, deadline, "host session");
      until(() -> !host.invites().get().isEmpty(), deadline, "an invite");
      SpaceState space = host.acceptInvite(host.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
      until(() -> space.channels().get().stream().anyMatch(c -> c.kind() == ChannelKind.TEXT), deadline,
          "a text channel");
      String ch = space.channels().get().stream().filter(c -> c.kind() == ChannelKind.TEXT).findFirst()
          .orElseThrow().id();
      host.openChannel(ch).get(10, TimeUnit.SECONDS);
      System.out.println("READY " + ch);
      System.out.flush();

      String myId = client.account().get().user().id();
      Set<String> acked = new HashSet<>();
      RelayConnection.Status lastStatus = null;
      long nextSend = System.nanoTime();
      int seq = 0;
      boolean stopped = false;
      while (!Files.exists(control.resolve("dump"))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no dump request before the deadline");
        }
        RelayConnection.Status st = client.connection().get();
        if (lastStatus == null || st.state() != lastStatus.state()) {
          System.out.println("STATE " + st.state() + " " + System.currentTimeMillis() + " " + st.detail());
          lastStatus = st;
        }
        if (!stopped && Files.exists(control.resolve("stop-sending"))) {
          stopped = true;
          System.out.println("STOPPED");
        }
        if (!stopped && System.nanoTime() >= nextSend) {
          String text = name + " " + seq++;
          host.send(ch, text, null);
          System.out.println("SENT " + text);
          nextSend = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sendEvery);
        }
        for (ChatLine l : host.log(ch).lines()) {
          if (!l.pending() && l.message().author().id().equals(myId) && acked.add(l.message().content())) {
            System.out.println("ACKED " + l.message().content());
          }
        }
        System.out.flush();
        Thread.sleep(50);
      }

      // the outbox drains (or the deadline passes), then the whole view is printed
      while (System.nanoTime() < deadline && host.log(ch).lines().stream().anyMatch(ChatLine::pending)) {
        Thread.sleep(100);
      }
      List<ChatLine> lines = host.log(ch).lines();
      for (ChatLine l : lines) {
        if (!l.pending()) {
          System.out.println("VIEW " + l.message().id() + " " + l.message().author().id() + " "
              + l.message().nonce() + " " + l.message().content());
        }
      }
      System.out.println("PENDING " + lines.stream().filter(ChatLine::pending).count());
      System.out.println("DUMPED");
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
