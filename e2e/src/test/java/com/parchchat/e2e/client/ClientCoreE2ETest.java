package com.parchchat.e2e.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.LocalStore;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.RelayConnection;
import com.parchchat.client.core.SpaceState;
import com.parchchat.e2e.support.Spaces;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.UnreadCount;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client.core} against the real relay and host jars: accounts, host list, spaces, invites,
 * chat, history paging, remembered sessions, and the durability promises (outbox re-send across a
 * host restart, resync after a dropped link, reconnect after a relay restart).
 */
class ClientCoreE2ETest {
  static final Duration WAIT = Duration.ofSeconds(45);

  private static Path shared;
  private static ParchStack sharedStack;
  private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();

  @TempDir Path dir;
  private ParchStack stack;
  private ParchStack own;
  private String suffix;
  private final List<ParchClient> clients = new ArrayList<>();

  /** One relay+host for the tests that do not restart anything (each uses its own usernames). */
  @BeforeAll
  static void startShared() {
    shared = ParchStack.tempDir("parch-core-e2e");
    sharedStack = ParchStack.builder(shared).host("Test Host")
        .hostYaml("messageBurst: 1000\nmessagesPerSecond: 1000.0\n").start();
  }

  @AfterAll
  static void stopShared() {
    if (sharedStack != null) {
      sharedStack.close();
    }
  }

  @BeforeEach
  void useShared() {
    stack = sharedStack;
    suffix = String.valueOf(SEQ.incrementAndGet());
  }

  /** A private relay+host for a test that stops or restarts them. */
  void ownStack() {
    own = ParchStack.builder(dir).host("Test Host")
        .hostYaml("messageBurst: 1000\nmessagesPerSecond: 1000.0\n").start();
    stack = own;
  }

  @AfterEach
  void stop() {
    clients.forEach(ParchClient::close);
    if (own != null) {
      own.close();
    }
  }

  ParchClient client(String name, Duration reconnectBase) {
    ClientConfig cfg = ClientConfig.defaults(dir.resolve("cfg-" + name))
        .withDefaultRelay(stack.relayUrl())
        .withReconnect(reconnectBase, reconnectBase.multipliedBy(2));
    ParchClient c = new ParchClient(cfg);
    clients.add(c);
    return c;
  }

  String name(String base) {
    return base + suffix;
  }

  /** Registers {@code base + suffix} (usernames are unique across the shared relay). */
  ParchClient user(String base) throws Exception {
    String username = base + suffix;
    ParchClient c = client(username, Duration.ofMillis(200));
    c.register(stack.relayUrl(), username, username.substring(0, 1).toUpperCase() + username.substring(1),
        username + "@example.org", "password-" + username).get(20, TimeUnit.SECONDS);
    return c;
  }

  static HostSession ready(ParchClient c, String hostKey) {
    HostSession h = c.addHost(hostKey);
    await().atMost(WAIT).until(() -> h.phase().get() == HostSession.Phase.READY);
    return h;
  }

  /** Alice creates a space with a text channel; Bob joins through an invite by username. */
  record Pair(HostSession alice, HostSession bob, SpaceState aliceSpace, SpaceState bobSpace, Channel general) {}

  Pair pair(ParchClient a, ParchClient b) throws Exception {
    HostSession alice = ready(a, stack.hostKey());
    HostSession bob = ready(b, stack.hostKey());
    SpaceState space = alice.createSpace("Team").get(10, TimeUnit.SECONDS);
    Channel general = Spaces.textChannel(alice, space);
    alice.inviteUser(space.id(), name("bob")).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.invites().get().size() == 1);
    SpaceState bobSpace = bob.acceptInvite(bob.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
    assertThat(bob.invites().get()).isEmpty();
    await().atMost(WAIT).until(() -> space.members().get().size() == 2);
    return new Pair(alice, bob, space, bobSpace, general);
  }

  static List<String> contents(HostSession h, String channelId) {
    List<String> out = new ArrayList<>();
    for (ChatLine l : h.log(channelId).lines()) {
      out.add(l.message().content());
    }
    return out;
  }

  static void assertStrictlyAscendingUnique(HostSession h, String channelId) {
    long last = Long.MIN_VALUE;
    Set<String> nonces = new HashSet<>();
    for (ChatLine l : h.log(channelId).lines()) {
      if (l.pending()) {
        continue;
      }
      assertThat(l.message().id()).isGreaterThan(last);
      last = l.message().id();
      if (l.message().nonce() != null) {
        assertThat(nonces.add(l.message().author().id() + "/" + l.message().nonce())).isTrue();
      }
    }
  }

  @Test
  void twoUsersChatThroughRealRelayAndHost() throws Exception {
    ParchClient a = user("alice");
    ParchClient b = user("bob");
    Pair p = pair(a, b);
    String ch = p.general().id();

    p.bob().openChannel(ch).get(10, TimeUnit.SECONDS);
    p.alice().openChannel(ch).get(10, TimeUnit.SECONDS);
    String hello0 = "hello @" + name("bob") + ", **welcome**";
    p.alice().send(ch, hello0, null);
    await().atMost(WAIT).until(() -> contents(p.bob(), ch).contains(hello0));
    Message hello = p.bob().log(ch).lines().get(p.bob().log(ch).size() - 1).message();
    assertThat(hello.mentions()).contains(b.account().get().user().id());

    // typing reaches the other side
    p.bob().typing(ch);
    await().atMost(WAIT).until(() -> !p.alice().typing().get().getOrDefault(ch, List.of()).isEmpty());
    assertThat(p.alice().typing().get().get(ch).get(0).displayName()).isEqualTo("Bob" + suffix);

    // reply, reaction, edit, delete
    p.bob().send(ch, "thanks!", hello.id());
    await().atMost(WAIT).until(() -> contents(p.alice(), ch).contains("thanks!"));
    p.bob().react(hello.id(), "\u2665", true).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p.alice().log(ch).byId(hello.id()).message().reactions().stream()
        .anyMatch(r -> r.emoji().equals("\u2665") && r.count() == 1));
    assertThat(p.bob().log(ch).byId(hello.id()).message().reactions().get(0).me()).isTrue();
    p.alice().edit(hello.id(), "hello @" + name("bob") + ", welcome!").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p.bob().log(ch).byId(hello.id()).message().editedAt() != null);
    assertThat(p.bob().log(ch).byId(hello.id()).message().content()).isEqualTo("hello @" + name("bob") + ", welcome!");
    p.alice().delete(ch, hello.id()).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p.bob().log(ch).byId(hello.id()) == null);

    // unread counts: alice looks elsewhere, bob writes twice
    Channel random = p.alice().createChannel(p.aliceSpace().id(), "random", ChannelKind.TEXT).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p.bobSpace().channel(random.id()).isPresent());
    p.alice().openChannel(random.id()).get(10, TimeUnit.SECONDS);
    p.bob().send(ch, "one", null);
    p.bob().send(ch, "two", null);
    await().atMost(WAIT).until(() -> unread(p.alice(), ch) == 2);
    p.alice().openChannel(ch).get(10, TimeUnit.SECONDS);
    assertThat(unread(p.alice(), ch)).isZero();

    // channel order follows a reorder
    List<String> order = new ArrayList<>();
    p.aliceSpace().channels().get().forEach(c -> order.add(c.id()));
    java.util.Collections.reverse(order);
    p.alice().reorderChannels(p.aliceSpace().id(), order).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p.bobSpace().channels().get().get(0).id().equals(order.get(0)));

    // presence: bob signs out, alice sees him offline
    b.logout().get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p.aliceSpace().member(b.account().get() == null
        ? p.bobSpace().members().get().stream().filter(m -> m.username().equals(name("bob"))).findFirst().orElseThrow().userId()
        : "").map(m -> !m.online()).orElse(false));
  }

  static int unread(HostSession h, String channelId) {
    UnreadCount c = h.unread().get().get(channelId);
    return c == null ? 0 : c.count();
  }

  @Test
  void historyPagesBackWithoutGapsOrDuplicates() throws Exception {
    ParchClient a = user("alice");
    ParchClient b = user("bob");
    Pair p = pair(a, b);
    String ch = p.general().id();
    p.alice().openChannel(ch).get(10, TimeUnit.SECONDS);
    int total = 230;
    for (int i = 0; i < total; i++) {
      p.alice().send(ch, "m" + i, null);
    }
    await().atMost(WAIT).until(() -> p.alice().pendingSends() == 0);
    p.bob().openChannel(ch).get(10, TimeUnit.SECONDS);
    assertThat(p.bob().log(ch).size()).isEqualTo(50);
    int rounds = 0;
    while (p.bob().loadOlder(ch).get(10, TimeUnit.SECONDS) > 0) {
      rounds++;
    }
    assertThat(rounds).isEqualTo(4);
    assertThat(p.bob().log(ch).hasOlder()).isFalse();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      expected.add("m" + i);
    }
    assertThat(contents(p.bob(), ch)).isEqualTo(expected);
    assertStrictlyAscendingUnique(p.bob(), ch);
  }

  @Test
  void outboxResendsAcrossAHostRestartExactlyOnce() throws Exception {
    ownStack();
    ParchClient a = user("alice");
    HostSession alice = ready(a, stack.hostKey());
    SpaceState space = alice.createSpace("Durable").get(10, TimeUnit.SECONDS);
    Channel ch = Spaces.textChannel(alice, space);
    alice.openChannel(ch.id()).get(10, TimeUnit.SECONDS);
    alice.send(ch.id(), "before", null);
    await().atMost(WAIT).until(() -> alice.pendingSends() == 0);

    stack.stopHost();
    await().atMost(WAIT).until(() -> alice.phase().get() == HostSession.Phase.OFFLINE);
    for (int i = 0; i < 20; i++) {
      alice.send(ch.id(), "offline " + i, null);
    }
    assertThat(alice.pendingSends()).isEqualTo(20);
    assertThat(alice.log(ch.id()).lines().stream().filter(ChatLine::pending).count()).isEqualTo(20);

    stack.startHost();
    await().atMost(WAIT).until(() -> alice.phase().get() == HostSession.Phase.READY);
    await().atMost(WAIT).until(() -> alice.pendingSends() == 0);
    await().atMost(WAIT).until(() -> alice.log(ch.id()).lines().stream().noneMatch(ChatLine::pending));
    assertThat(contents(alice, ch.id())).hasSize(21).startsWith("before").endsWith("offline 19");

    // a second client reading the host's history sees every message exactly once
    ParchClient again = client("alice2", Duration.ofMillis(200));
    again.login(stack.relayUrl(), name("alice"), "password-" + name("alice"), false).get(10, TimeUnit.SECONDS);
    HostSession h2 = ready(again, stack.hostKey());
    h2.openChannel(ch.id()).get(10, TimeUnit.SECONDS);
    assertThat(contents(h2, ch.id())).isEqualTo(contents(alice, ch.id()));
    assertStrictlyAscendingUnique(h2, ch.id());
  }

  @Test
  void droppedLinkResyncsMissedMessagesByKeysetPaging() throws Exception {
    ParchClient a = user("alice");
    ParchClient b = client(name("bob"), Duration.ofSeconds(4));
    b.register(stack.relayUrl(), name("bob"), "Bob", name("bob") + "@example.org", "password-bob").get(20, TimeUnit.SECONDS);
    Pair p = pair(a, b);
    String ch = p.general().id();
    p.bob().openChannel(ch).get(10, TimeUnit.SECONDS);
    p.alice().openChannel(ch).get(10, TimeUnit.SECONDS);
    p.alice().send(ch, "seen live", null);
    await().atMost(WAIT).until(() -> contents(p.bob(), ch).contains("seen live"));

    b.simulateNetworkDrop();
    await().atMost(WAIT).until(() -> b.connection().get().state() == RelayConnection.State.RECONNECTING);
    for (int i = 0; i < 7; i++) {
      p.alice().send(ch, "missed " + i, null);
    }
    await().atMost(WAIT).until(() -> p.alice().pendingSends() == 0);
    assertThat(contents(p.bob(), ch)).doesNotContain("missed 0");

    await().atMost(WAIT).until(() -> b.connection().get().state() == RelayConnection.State.ONLINE);
    await().atMost(WAIT).until(() -> contents(p.bob(), ch).contains("missed 6"));
    assertThat(contents(p.bob(), ch)).containsExactly("seen live", "missed 0", "missed 1", "missed 2",
        "missed 3", "missed 4", "missed 5", "missed 6");
    assertStrictlyAscendingUnique(p.bob(), ch);
  }

  @Test
  void relayRestartIsSurvivedAndSessionIsRemembered() throws Exception {
    ownStack();
    ParchClient a = user("alice");
    HostSession alice = ready(a, stack.hostKey());
    SpaceState space = alice.createSpace("Restart").get(10, TimeUnit.SECONDS);
    assertThat(space.space().get().name()).isEqualTo("Restart");

    stack.stopRelay();
    await().atMost(WAIT).until(() -> a.connection().get().state() == RelayConnection.State.RECONNECTING);
    stack.startRelay();
    await().atMost(WAIT).until(() -> a.connection().get().state() == RelayConnection.State.ONLINE);
    await().atMost(WAIT).until(() -> alice.phase().get() == HostSession.Phase.READY);
    assertThat(alice.spaces().get()).extracting(s -> s.space().get().name()).contains("Restart");

    // a second app start with the same config dir resumes the remembered session and host list
    LocalStore.SavedSession saved = a.rememberedSession().orElseThrow();
    assertThat(saved.toString()).doesNotContain(saved.token());
    ParchClient next = client(name("alice"), Duration.ofMillis(200));
    next.resume(next.rememberedSession().orElseThrow()).get(10, TimeUnit.SECONDS);
    assertThat(next.hosts().get()).extracting(HostSession::hostKey).containsExactly(stack.hostKey());
    await().atMost(WAIT).until(() -> next.hosts().get().get(0).phase().get() == HostSession.Phase.READY);
    assertThat(next.hosts().get().get(0).name().get()).isEqualTo("Test Host");

    // logout revokes the token at the relay: resuming with it fails and forgets it
    a.close();
    next.logout().get(10, TimeUnit.SECONDS);
    ParchClient third = client("third" + suffix, Duration.ofMillis(200));
    assertThatThrownBy(() -> third.resume(saved).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ClientException.class)
        .satisfies(e -> assertThat(((ClientException) e.getCause()).code()).isEqualTo(ErrorCode.UNAUTHORIZED));
  }

  @Test
  void errorsAreTyped() throws Exception {
    ParchClient a = user("alice");
    assertThatThrownBy(() -> client("x" + suffix, Duration.ofMillis(200))
        .login(stack.relayUrl(), name("alice"), "wrong-password", false).get(10, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(ClientException.of(e).code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    assertThatThrownBy(() -> client("y" + suffix, Duration.ofMillis(200))
        .register(stack.relayUrl(), name("alice"), "Alice", "a@example.org", "password-x").get(10, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(ClientException.of(e).code()).isEqualTo(ErrorCode.CONFLICT));
    HostSession h = ready(a, stack.hostKey());
    assertThatThrownBy(() -> h.redeemCode("no-such-code").get(10, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(ClientException.of(e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    HostSession unknown = a.addHost("h_does_not_exist");
    await().atMost(WAIT).until(() -> unknown.phase().get() == HostSession.Phase.FAILED);
    assertThat(unknown.problem().get()).isEqualTo("No host with this Host Key is registered at the relay");
  }
}
