package com.parchchat.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.RelayConnection;
import com.parchchat.client.core.SpaceState;
import com.parchchat.e2e.support.Spaces;
import com.parchchat.protocol.api.Channel;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 point 1, relay restart during traffic: 100 headless {@code client.core} clients and one
 * host (real relay and host jars) share a channel; the relay process is killed (SIGKILL) with
 * messages in flight, messages are written while it is down, and it is started again on the same
 * port and database. Every client reconnects by itself, and every message sent (in flight at the
 * kill, queued in outboxes during the outage, written after) ends up exactly once, stored, in
 * every client's view of the channel.
 *
 * <p>100 in-JVM {@link ParchClient}s are used (not lightweight sockets) because reconnect, outbox
 * re-send and resync live in {@code client.core}: that is what must survive. Host restart, dropped
 * links and SFU rejoin are proven elsewhere (see the report of issue 10).
 */
class RelayRestartE2ETest {
  static final int CLIENTS = 100;
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private ParchStack stack;
  private final List<ParchClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.parallelStream().forEach(ParchClient::close);
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void hundredClientsSurviveARelayKillAndLoseOrDuplicateNothing() throws Exception {
    stack = RelStack.start(dir.resolve("stack"), "limits:\n"
        + "  registerPerIpPerHour: 100000\n"
        + "  loginPerIpPerMinute: 100000\n", "Restart Host");

    // 100 users register (in waves of 20: 100 at once time out on a loaded 2-core machine) and reach the host
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(new ParchClient(ClientConfig.defaults(dir.resolve("cfg-" + i))
          .withDefaultRelay(stack.relayUrl())
          .withReconnect(Duration.ofMillis(200), Duration.ofMillis(500))));
    }
    for (int from = 0; from < CLIENTS; from += 20) {
      List<CompletableFuture<?>> registered = new ArrayList<>();
      for (int i = from; i < Math.min(CLIENTS, from + 20); i++) {
        registered.add(clients.get(i).register(stack.relayUrl(), "user" + i, "User " + i, "user" + i + "@example.org",
            "password-" + i));
      }
      CompletableFuture.allOf(registered.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    }
    List<HostSession> sessions = new ArrayList<>();
    for (ParchClient c : clients) {
      sessions.add(c.addHost(stack.hostKey()));
    }
    await().atMost(WAIT).until(() -> sessions.stream().allMatch(h -> h.phase().get() == HostSession.Phase.READY));

    // one space with everyone in it
    HostSession owner = sessions.get(0);
    SpaceState space = owner.createSpace("Everyone").get(10, TimeUnit.SECONDS);
    Channel general = Spaces.textChannel(owner, space);
    String ch = general.id();
    List<CompletableFuture<?>> invited = new ArrayList<>();
    for (int i = 1; i < CLIENTS; i++) {
      invited.add(owner.inviteUser(space.id(), "user" + i));
    }
    CompletableFuture.allOf(invited.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    for (int i = 1; i < CLIENTS; i++) {
      HostSession h = sessions.get(i);
      await().atMost(WAIT).until(() -> !h.invites().get().isEmpty());
      h.acceptInvite(h.invites().get().get(0).id()).get(20, TimeUnit.SECONDS);
    }
    List<CompletableFuture<?>> opened = new ArrayList<>();
    for (HostSession h : sessions) {
      opened.add(h.openChannel(ch));
    }
    CompletableFuture.allOf(opened.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);

    Set<String> sent = new HashSet<>();
    sendRound(sessions, ch, 0, sent);
    awaitAllDelivered(sessions, ch, sent);

    // round 1 is in flight when the relay is killed; round 2 is written while it is down
    sendRound(sessions, ch, 1, sent);
    stack.killRelay();
    await().atMost(WAIT).until(() -> clients.stream()
        .noneMatch(c -> c.connection().get().state() == RelayConnection.State.ONLINE));
    sendRound(sessions, ch, 2, sent);

    long restartAt = System.nanoTime();
    stack.startRelay();
    long relayUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
    await().atMost(WAIT).until(() -> clients.stream()
        .allMatch(c -> c.connection().get().state() == RelayConnection.State.ONLINE));
    long allOnlineMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
    try {
      await().atMost(WAIT).until(() -> sessions.stream().allMatch(h -> h.phase().get() == HostSession.Phase.READY));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      Map<HostSession.Phase, Long> phases = sessions.stream()
          .collect(Collectors.groupingBy(h -> h.phase().get(), Collectors.counting()));
      throw new AssertionError("host sessions not all ready after the restart: " + phases + "\n" + stack.logs(), e);
    }
    long allReadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);

    sendRound(sessions, ch, 3, sent);
    awaitAllDelivered(sessions, ch, sent);
    long deliveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
    System.out.printf("relay restart, %d clients: new relay process serving after %d ms; after that: all clients "
        + "online +%d ms, host and all host sessions ready +%d ms, all %d messages stored in every view +%d ms%n",
        CLIENTS, relayUpMs, allOnlineMs - relayUpMs, allReadyMs - relayUpMs, sent.size(), deliveredMs - relayUpMs);

    // no duplicates in any view: each message id once, each (author, nonce) once, ascending ids
    for (HostSession h : sessions) {
      List<ChatLine> lines = h.log(ch).lines();
      Set<Long> ids = new HashSet<>();
      Set<String> keys = new HashSet<>();
      long last = Long.MIN_VALUE;
      for (ChatLine l : lines) {
        assertThat(l.pending()).isFalse();
        assertThat(ids.add(l.message().id())).as("duplicate id %d", l.message().id()).isTrue();
        assertThat(keys.add(l.message().author().id() + "/" + l.message().nonce())).isTrue();
        assertThat(l.message().id()).isGreaterThan(last);
        last = l.message().id();
      }
      assertThat(lines).extracting(l -> l.message().content()).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  private static void sendRound(List<HostSession> sessions, String ch, int round, Set<String> sent) {
    for (int i = 0; i < sessions.size(); i++) {
      String text = "u" + i + " r" + round;
      sessions.get(i).send(ch, text, null);
      sent.add(text);
    }
  }

  /** Every client's view holds every sent message, none pending. */
  private void awaitAllDelivered(List<HostSession> sessions, String ch, Set<String> sent) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (HostSession h : sessions) {
        List<ChatLine> lines = h.log(ch).lines();
        Set<String> stored = new HashSet<>();
        for (ChatLine l : lines) {
          if (!l.pending()) {
            stored.add(l.message().content());
          }
        }
        if (!stored.containsAll(sent)) {
          Set<String> missing = new HashSet<>(sent);
          missing.removeAll(stored);
          throw new AssertionError("client " + sessions.indexOf(h) + " lacks " + missing.size() + " messages "
              + describe(sessions, ch, missing) + "; phase " + h.phase().get());
        }
      }
    });
  }

  /** For each missing message: is it stored, pending or absent in its own sender's view? */
  private static String describe(List<HostSession> sessions, String ch, Set<String> missing) {
    StringBuilder out = new StringBuilder();
    for (String text : missing) {
      int sender = Integer.parseInt(text.substring(1, text.indexOf(' ')));
      String state = "absent";
      for (ChatLine l : sessions.get(sender).log(ch).lines()) {
        if (l.message().content().equals(text)) {
          state = l.pending() ? "pending(" + l.delivery() + ")" : "stored#" + l.message().id();
        }
      }
      out.append(text).append(" at sender: ").append(state).append("; ");
    }
    return out.toString();
  }
}
