package com.parchchat.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.e2e.support.Spaces;
import com.parchchat.protocol.api.Member;
import com.parchchat.testkit.netns.NetNs;
import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.stack.ParchStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 point 1, dropped connections by cutting a link between network namespaces. A client
 * ({@link LinkClientMain}, its own JVM) lives in a namespace the test creates, joined to the root
 * namespace by a veth pair; the real relay and host jars listen on the root end's address, and a
 * second client ("watcher", in this JVM) chats with it. While both post, the root end of the veth is
 * set down: packets vanish without a FIN or RST reaching either side (a silent drop), so only the
 * ping/idle timeouts can notice — configured short here (relay: ping 1 s, idle 4 s; client: idle 3 s,
 * pings every second). With the defaults (relay 60 s, client 45 s) neither would notice within the
 * 20 s the test waits, so the awaited conditions prove those timeouts did the work:
 *
 * <ul>
 *   <li>the client drops the link with "The relay stopped answering" (its idle timeout);
 *   <li>the relay reaps the silent session: the host publishes the user offline, which the watcher
 *       sees;
 *   <li>after the link comes back the client reconnects by itself (the user shows online again),
 *       re-sends its outbox and resyncs; every message both sides sent — before, during and after the
 *       cut — ends up stored exactly once in both views (no duplicate id, no duplicate author+nonce,
 *       nothing pending), including each one the client saw acknowledged.
 * </ul>
 */
class DroppedLinkE2ETest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Duration NOTICE = Duration.ofSeconds(20);
  static final String DEAD_DETAIL = "The relay stopped answering";
  private static final Pattern STATE = Pattern.compile("^STATE (\\w+) (\\d+) (.*)$", Pattern.MULTILINE);

  @TempDir Path dir;
  private ParchStack stack;
  private NetNs ns;
  private String rootIf;
  private ServiceProcess roamer;
  private ParchClient watcher;
  private ScheduledExecutorService chatter;

  @AfterEach
  void tearDown() {
    if (chatter != null) {
      chatter.shutdownNow();
    }
    if (roamer != null) {
      roamer.stop(Duration.ofSeconds(5));
    }
    if (watcher != null) {
      watcher.close();
    }
    if (stack != null) {
      stack.close();
    }
    if (ns != null) {
      ns.close(); // takes both veth ends with it
    }
    if (rootIf != null) {
      root(false, "ip", "link", "del", rootIf); // normally gone already
    }
  }

  @Test
  void aSilentlyCutLinkIsNoticedByBothSidesAndNothingIsLostOrDuplicated() throws Exception {
    // a namespace for the roaming client, joined to the root namespace by a veth pair
    String id = Integer.toHexString(0x100000 + ThreadLocalRandom.current().nextInt(0xefffff));
    int subnet = 16 + ThreadLocalRandom.current().nextInt(200);
    String rootAddr = "10.214." + subnet + ".1";
    String nsAddr = "10.214." + subnet + ".2";
    ns = NetNs.create("parch-cut-" + id);
    rootIf = "pcut" + id;
    root(true, "ip", "link", "add", rootIf, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
    root(true, "ip", "addr", "add", rootAddr + "/24", "dev", rootIf);
    root(true, "ip", "link", "set", rootIf, "up");
    ns.exec("ip", "addr", "add", nsAddr + "/24", "dev", "eth0");
    ns.exec("ip", "link", "set", "eth0", "up");

    stack = RelStack.start(dir.resolve("stack"), "limits:\n"
        + "  idleTimeoutSeconds: 4\n"
        + "  pingIntervalSeconds: 1\n", "Link Host", rootAddr);

    // the watcher (root namespace) owns a space with a text channel
    watcher = new ParchClient(ClientConfig.defaults(dir.resolve("watcher")).withDefaultRelay(stack.relayUrl())
        .withReconnect(Duration.ofMillis(200), Duration.ofMillis(500)));
    watcher.register(stack.relayUrl(), "watcher", "Watcher", "watcher@example.org", "password-watcher")
        .get(30, TimeUnit.SECONDS);
    HostSession w = watcher.addHost(stack.hostKey());
    await().atMost(WAIT).until(() -> w.phase().get() == HostSession.Phase.READY);
    SpaceState space = w.createSpace("Links").get(10, TimeUnit.SECONDS);
    String ch = Spaces.textChannel(w, space).id();
    w.openChannel(ch).get(10, TimeUnit.SECONDS);

    // the roaming client, its own JVM inside the namespace
    Path control = Files.createDirectories(dir.resolve("control"));
    roamer = ns.startJava("roamer", LinkClientMain.class, "--relay", stack.relayUrl().toString(),
        "--host-key", stack.hostKey(), "--name", "roamer", "--data", dir.resolve("roamer").toString(),
        "--control", control.toString(), "--idle-ms", "3000", "--send-every-ms", "250", "--seconds", "300");
    roamer.awaitLine(Pattern.compile("^REGISTERED (\\S+)", Pattern.MULTILINE), WAIT);
    Matcher reg = Pattern.compile("REGISTERED (\\S+)").matcher(roamer.output());
    assertThat(reg.find()).isTrue();
    String roamerId = reg.group(1);
    w.inviteUser(space.id(), "roamer").get(10, TimeUnit.SECONDS);
    roamer.awaitLine(Pattern.compile("^READY ", Pattern.MULTILINE), WAIT);
    await().atMost(WAIT).until(() -> online(space, roamerId).orElse(false));

    // both chat; the watcher posts every 250 ms from here to the end
    Set<String> watcherSent = ConcurrentHashMap.newKeySet();
    AtomicInteger seq = new AtomicInteger();
    chatter = Executors.newSingleThreadScheduledExecutor();
    chatter.scheduleAtFixedRate(() -> {
      String text = "watcher " + seq.getAndIncrement();
      w.send(ch, text, null);
      watcherSent.add(text);
    }, 0, 250, TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> count(roamer.output(), "ACKED ") >= 5);

    // cut: the root end goes down; nothing (no FIN, no RST) reaches either side any more
    int ackedBeforeCut = count(roamer.output(), "ACKED ");
    long cutAt = System.currentTimeMillis();
    root(true, "ip", "link", "set", rootIf, "down");
    try {
      await().atMost(NOTICE).until(() -> stateAfter(roamer.output(), cutAt, "RECONNECTING") != null);
      await().atMost(NOTICE).until(() -> !online(space, roamerId).orElse(true));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not noticed: " + e.getMessage() + "\nroamer:\n" + roamer.tail(30) + "\n" + stack.logs(),
          e);
    }
    long reapedMs = System.currentTimeMillis() - cutAt;
    String[] noticed = stateAfter(roamer.output(), cutAt, "RECONNECTING");
    assertThat(noticed[1]).as("the client's reason for dropping the link").isEqualTo(DEAD_DETAIL);
    long clientNoticedMs = Long.parseLong(noticed[0]) - cutAt;

    // the outage goes on while both keep posting: the client's posts wait in its outbox
    int watcherAtReap = seq.get();
    int roamerSentAtReap = count(roamer.output(), "SENT ");
    await().atMost(WAIT).until(() -> seq.get() >= watcherAtReap + 8 && count(roamer.output(), "SENT ") >= roamerSentAtReap + 8);

    // the link comes back: the client reconnects by itself and shows online again
    long restoreAt = System.currentTimeMillis();
    root(true, "ip", "link", "set", rootIf, "up");
    await().atMost(WAIT).until(() -> stateAfter(roamer.output(), restoreAt, "ONLINE") != null);
    long reconnectedMs = Long.parseLong(stateAfter(roamer.output(), restoreAt, "ONLINE")[0]) - restoreAt;
    await().atMost(WAIT).until(() -> online(space, roamerId).orElse(false));
    int ackedAtRestore = count(roamer.output(), "ACKED ");
    await().atMost(WAIT).until(() -> count(roamer.output(), "ACKED ") >= ackedAtRestore + 5);

    // stop posting; both views must converge on everything either side sent
    chatter.shutdown();
    assertThat(chatter.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    Files.writeString(control.resolve("stop-sending"), "");
    roamer.awaitLine(Pattern.compile("^STOPPED", Pattern.MULTILINE), WAIT);
    Set<String> roamerSent = lines(roamer.output(), "SENT ");
    Set<String> roamerAcked = lines(roamer.output(), "ACKED ");
    Set<String> all = new HashSet<>(watcherSent);
    all.addAll(roamerSent);
    try {
      await().atMost(WAIT).untilAsserted(() -> assertThat(stored(w.log(ch).lines())).containsAll(all));
    } catch (AssertionError e) {
      Set<String> missing = new HashSet<>(all);
      missing.removeAll(stored(w.log(ch).lines()));
      throw new AssertionError("watcher lacks " + missing + "\nroamer:\n" + roamer.tail(30), e);
    }
    Files.writeString(control.resolve("dump"), "");
    roamer.awaitLine(Pattern.compile("^DUMPED", Pattern.MULTILINE), WAIT);
    roamer.awaitExit(Duration.ofSeconds(30));

    System.out.printf("dropped link: client noticed after %d ms (idle timeout 3 s), relay reaped the session "
        + "(user offline at the watcher) after %d ms (idle timeout 4 s); link restored: client online after %d ms; "
        + "%d messages (%d from the namespace client, %d of them acknowledged before the cut) stored once in both "
        + "views%n", clientNoticedMs, reapedMs, reconnectedMs, all.size(), roamerSent.size(), ackedBeforeCut);

    // the watcher's view: every message once, none pending, ids ascending
    List<ChatLine> watcherView = w.log(ch).lines();
    assertNoDuplicates(watcherView.stream().map(l -> new Line(l.message().id(), l.message().author().id(),
        l.message().nonce(), l.message().content(), l.pending())).toList());
    assertThat(watcherView).extracting(l -> l.message().content()).containsExactlyInAnyOrderElementsOf(all);
    assertThat(roamerAcked).isSubsetOf(roamerSent);

    // the namespace client's view: the same, after its resync
    String out = roamer.output();
    assertThat(out).contains("PENDING 0");
    List<Line> roamerView = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (l.startsWith("VIEW ")) {
        String[] p = l.split(" ", 5);
        roamerView.add(new Line(Long.parseLong(p[1]), p[2], p[3], p[4], false));
      }
    }
    assertNoDuplicates(roamerView);
    assertThat(roamerView).extracting(Line::content).containsExactlyInAnyOrderElementsOf(all);
    // the outage really spanned messages from both sides
    assertThat(watcherSent).contains("watcher " + (watcherAtReap + 1));
    assertThat(roamerSent).contains("roamer " + (roamerSentAtReap + 1));
  }

  record Line(long id, String author, String nonce, String content, boolean pending) {
  }

  private static void assertNoDuplicates(List<Line> view) {
    Set<Long> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    long last = Long.MIN_VALUE;
    for (Line l : view) {
      assertThat(l.pending()).as("pending %s", l.content()).isFalse();
      assertThat(ids.add(l.id())).as("duplicate id %d", l.id()).isTrue();
      assertThat(keys.add(l.author() + "/" + l.nonce())).as("duplicate %s", l.content()).isTrue();
      assertThat(l.id()).isGreaterThan(last);
      last = l.id();
    }
  }

  private static Set<String> stored(List<ChatLine> lines) {
    Set<String> out = new HashSet<>();
    for (ChatLine l : lines) {
      if (!l.pending()) {
        out.add(l.message().content());
      }
    }
    return out;
  }

  private static Optional<Boolean> online(SpaceState space, String userId) {
    return space.members().get().stream().filter(m -> m.userId().equals(userId)).findFirst().map(Member::online);
  }

  /** The first {@code STATE state} line stamped at or after {@code since}: [epoch ms, detail], or null. */
  private static String[] stateAfter(String output, long since, String state) {
    Matcher m = STATE.matcher(output);
    while (m.find()) {
      if (m.group(1).equals(state) && Long.parseLong(m.group(2)) >= since) {
        return new String[] {m.group(2), m.group(3).strip()};
      }
    }
    return null;
  }

  private static int count(String output, String prefix) {
    return lines(output, prefix).size();
  }

  private static Set<String> lines(String output, String prefix) {
    Set<String> out = new HashSet<>();
    for (String l : output.split("\n")) {
      if (l.startsWith(prefix)) {
        out.add(l.substring(prefix.length()).strip());
      }
    }
    return out;
  }

  /** Runs a command in the root namespace (the test's own veth end only). */
  private static void root(boolean check, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", cmd));
      }
      if (check && p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
