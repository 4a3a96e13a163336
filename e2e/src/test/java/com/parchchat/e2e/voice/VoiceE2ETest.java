package com.parchchat.e2e.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.parchchat.bench.soak.VoiceEar;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.SfuLinkFactory;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceGrant;
import com.parchchat.client.voice.VoiceInput;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceSession;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.VoiceChannelState;
import com.parchchat.protocol.api.VoiceParticipant;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.testkit.netns.NatTopology;
import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.stack.Cleanup;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Voice channels end to end: real relay, host, SFU and TURN processes; headless clients made of
 * {@code client.core} and the {@code client.voice} engine, each sending its own tone. They register at
 * the relay, meet in a space on the host and join a voice channel the normal way (host authorizes,
 * relay grants, SFU call). Then: everybody hears the two others and not themselves, capacity is
 * enforced, mute and deafen are published to the space and mute silences a tone, and a kicked member
 * is out of the channel's voice state and out of the call. The second test repeats the call with two clients behind separate strict NATs
 * whose only way to the SFU's media port is our TURN server.
 */
class VoiceE2ETest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final double ALICE_HZ = 440;
  static final double BOB_HZ = 550;
  static final double CAROL_HZ = 660;
  static final double[] TONES = {ALICE_HZ, BOB_HZ, CAROL_HZ};

  @TempDir Path dir;
  @AutoClose final Cleanup cleanup = new Cleanup();

  /** One person: a relay account, a session on the host, and (if they talk) a voice engine. */
  final class Person {
    final String name;
    final ParchClient client;
    final HostSession host;
    final String userId;
    VoiceSession voice;
    VoiceEar ear;
    VoiceCall call;

    Person(ParchStack stack, String name) throws Exception {
      this.name = name;
      ClientConfig cfg = ClientConfig.defaults(dir.resolve("client-" + name)).withDefaultRelay(stack.relayUrl())
          .withReconnect(Duration.ofMillis(200), Duration.ofMillis(400));
      client = cleanup.add(new ParchClient(cfg));
      client.register(stack.relayUrl(), name, Character.toUpperCase(name.charAt(0)) + name.substring(1),
          name + "@example.org", "password-" + name).get(20, TimeUnit.SECONDS);
      userId = client.account().get().user().id();
      host = client.addHost(stack.hostKey());
      await().atMost(WAIT).until(() -> host.phase().get() == HostSession.Phase.READY);
    }

    VoiceCall talk(String channelId, double hz) throws Exception {
      VoiceEngine engine = cleanup.add(new VoiceEngine(VoiceConfig.headless()));
      voice = cleanup.add(VoiceSession.overWebSocket(host, engine, client.http()));
      ear = new VoiceEar(TONES);
      call = voice.join(channelId, VoiceInput.tone(hz), new VoiceListener() { }).get(20, TimeUnit.SECONDS);
      call.setRemoteAudioTap(ear);
      return call;
    }

    /**
     * Joins like {@link #talk} but without {@code VoiceSession}: this client ignores being kicked, so
     * only the SFU (told by the relay) can end its call.
     */
    VoiceCall talkUnmanaged(String channelId, double hz) throws Exception {
      VoiceEngine engine = cleanup.add(new VoiceEngine(VoiceConfig.headless()));
      HostReply.VoiceGrant g = host.call(new HostRequest.VoiceJoin(channelId), HostReply.VoiceGrant.class)
          .get(20, TimeUnit.SECONDS);
      ear = new VoiceEar(TONES);
      call = engine.join(VoiceGrant.fromHostReply(g),
          SfuLinkFactory.webSocket(client.http(), SignalCodec.withDefaults(), Duration.ofSeconds(10)),
          VoiceInput.tone(hz), new VoiceListener() { });
      call.setRemoteAudioTap(ear);
      return call;
    }

    /** This person's view of the channel's participants (from the host's published voice state). */
    List<VoiceParticipant> seen(String spaceId, String channelId) {
      Optional<SpaceState> s = host.space(spaceId);
      if (s.isEmpty()) {
        return List.of();
      }
      return s.get().voice().get().stream().filter(v -> v.channelId().equals(channelId)).findFirst()
          .map(VoiceChannelState::participants).orElse(List.of());
    }

    Optional<VoiceParticipant> seenState(String spaceId, String channelId, String of) {
      return seen(spaceId, channelId).stream().filter(p -> p.userId().equals(of)).findFirst();
    }
  }

  /** The owner makes a space with a voice channel and invites the others by username. */
  static Channel meet(Person owner, String spaceName, Person... others) throws Exception {
    SpaceState space = owner.host.createSpace(spaceName).get(10, TimeUnit.SECONDS);
    Channel lounge = owner.host.createChannel(space.id(), "Lounge", ChannelKind.VOICE).get(10, TimeUnit.SECONDS);
    for (Person p : others) {
      owner.host.inviteUser(space.id(), p.name).get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> !p.host.invites().get().isEmpty());
      p.host.acceptInvite(p.host.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
    }
    await().atMost(WAIT).until(() -> space.members().get().size() == others.length + 1);
    return lounge;
  }

  @Test
  void threeClientsTalkMuteAreCappedAndAKickedMemberIsOut() throws Exception {
    ParchStack stack = cleanup.add(VoiceStack.loopback(dir.resolve("stack"), 3));
    Person alice = new Person(stack, "alice");
    Person bob = new Person(stack, "bob");
    Person carol = new Person(stack, "carol");
    Person dave = new Person(stack, "dave");
    Channel lounge = meet(alice, "Voice Team", bob, carol, dave);
    String space = lounge.spaceId();

    alice.talk(lounge.id(), ALICE_HZ);
    bob.talk(lounge.id(), BOB_HZ);
    carol.talkUnmanaged(lounge.id(), CAROL_HZ);

    // each hears the other two, each tone attributed to the member who sends it, and not themselves
    try {
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(alice.ear.from(bob.userId)).containsExactly(BOB_HZ);
        assertThat(alice.ear.from(carol.userId)).containsExactly(CAROL_HZ);
        assertThat(bob.ear.from(alice.userId)).containsExactly(ALICE_HZ);
        assertThat(bob.ear.from(carol.userId)).containsExactly(CAROL_HZ);
        assertThat(carol.ear.from(alice.userId)).containsExactly(ALICE_HZ);
        assertThat(carol.ear.from(bob.userId)).containsExactly(BOB_HZ);
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + stack.logs(), e);
    }
    assertThat(alice.ear.all()).doesNotContain(ALICE_HZ);
    assertThat(bob.ear.all()).doesNotContain(BOB_HZ);
    assertThat(carol.ear.all()).doesNotContain(CAROL_HZ);
    assertThat(alice.call.quality().localCandidate()).isNotNull();

    // voice state (who) is published to the space: dave, who is not in the call, sees all three
    await().atMost(WAIT).untilAsserted(() -> assertThat(dave.seen(space, lounge.id()))
        .extracting(VoiceParticipant::userId).containsExactlyInAnyOrder(alice.userId, bob.userId, carol.userId));

    // capacity (3 here) is enforced by the host before any credentials are minted
    assertThatThrownBy(() -> dave.host.call(new HostRequest.VoiceJoin(lounge.id()), HostReply.VoiceGrant.class)
        .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .satisfies(e -> assertThat(((ClientException) e.getCause()).code()).isEqualTo(ErrorCode.CONFLICT));

    // mute: bob's tone stops for both listeners, and the space sees him muted
    bob.voice.setMuted(true);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(alice.ear.all()).doesNotContain(BOB_HZ).contains(CAROL_HZ);
      assertThat(carol.ear.all()).doesNotContain(BOB_HZ).contains(ALICE_HZ);
      assertThat(dave.seenState(space, lounge.id(), bob.userId)).hasValueSatisfying(p -> {
        assertThat(p.muted()).isTrue();
        assertThat(p.deafened()).isFalse();
      });
    });
    bob.voice.setMuted(false);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(alice.ear.from(bob.userId)).containsExactly(BOB_HZ);
      assertThat(dave.seenState(space, lounge.id(), bob.userId)).hasValueSatisfying(p ->
          assertThat(p.muted()).isFalse());
    });

    // deafen: bob hears nobody (and is muted), and the space sees it
    bob.voice.setDeafened(true);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(bob.ear.all()).isEmpty();
      assertThat(alice.ear.all()).doesNotContain(BOB_HZ);
      assertThat(alice.seenState(space, lounge.id(), bob.userId)).hasValueSatisfying(p -> {
        assertThat(p.deafened()).isTrue();
        assertThat(p.muted()).isTrue();
      });
    });
    bob.voice.setDeafened(false);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(bob.ear.from(alice.userId)).containsExactly(ALICE_HZ);
      assertThat(carol.ear.from(bob.userId)).containsExactly(BOB_HZ);
    });

    // kick: carol is removed from the space. Her client ignores it (no VoiceSession), so it is the
    // host's voice.kick → relay → SFU admin call that ends her call; the others stop hearing her and
    // the space's voice state drops her
    alice.host.kick(space, carol.userId).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(carol.call.state()).isIn(VoiceCall.State.LEFT, VoiceCall.State.FAILED);
      assertThat(alice.ear.all()).doesNotContain(CAROL_HZ).contains(BOB_HZ);
      assertThat(bob.ear.all()).doesNotContain(CAROL_HZ).contains(ALICE_HZ);
      assertThat(alice.seen(space, lounge.id())).extracting(VoiceParticipant::userId)
          .containsExactlyInAnyOrder(alice.userId, bob.userId);
      assertThat(alice.call.members()).extracting(m -> m.userId()).containsExactly(bob.userId);
      assertThat(stack.relay().output()).contains("SFU removed user " + carol.userId + " from room");
    });
    // and the host refuses her a new grant
    assertThatThrownBy(() -> carol.host.call(new HostRequest.VoiceJoin(lounge.id()), HostReply.VoiceGrant.class)
        .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  /**
   * The same call with bob and carol each behind their own strict NAT (no inbound UDP that they did
   * not start). The NATs also drop every packet to the SFU's media port, so a direct ICE path cannot
   * exist: the clients run with their normal ICE policy (all candidates), and the only path that works
   * is through our TURN server, which relays from the public side to the SFU. Every client is its own
   * JVM inside its namespace; the services run in the public namespace.
   */
  @Test
  void clientsBehindTwoStrictNatsReachTheSfuOnlyThroughOurTurnServer() throws Exception {
    NatTopology topo = cleanup.add(NatTopology.create("198.51.100"));
    ParchStack stack = cleanup.add(VoiceStack.inNamespace(dir.resolve("stack"), topo.publicHost(),
        topo.publicAddress(), 3));
    for (NatTopology.Site site : List.of(topo.siteA(), topo.siteB())) {
      site.nat().exec("iptables", "-I", "FORWARD", "-p", "udp", "-d", topo.publicAddress(),
          "--dport", String.valueOf(stack.sfuMediaPort()), "-j", "DROP");
    }
    String[] common = {"--relay", stack.relayUrl().toString(), "--host-key", stack.hostKey(), "--seconds", "150"};
    ServiceProcess alice = cleanup.add(topo.publicHost().startJava("alice", VoiceClientMain.class,
        args(common, "--name", "alice", "--tone", "" + ALICE_HZ, "--data", dir.resolve("alice").toString(),
            "--invite", "bob,carol")));
    ServiceProcess bob = cleanup.add(topo.siteA().host().startJava("bob", VoiceClientMain.class,
        args(common, "--name", "bob", "--tone", "" + BOB_HZ, "--data", dir.resolve("bob").toString())));
    ServiceProcess carol = cleanup.add(topo.siteB().host().startJava("carol", VoiceClientMain.class,
        args(common, "--name", "carol", "--tone", "" + CAROL_HZ, "--data", dir.resolve("carol").toString())));
    Duration wait = Duration.ofSeconds(140); // generous: these JVMs start slowly on a loaded 2-core machine
    try {
      alice.awaitOutput("HEARD " + BOB_HZ, wait).awaitOutput("HEARD " + CAROL_HZ, wait);
      bob.awaitOutput("HEARD " + ALICE_HZ, wait).awaitOutput("HEARD " + CAROL_HZ, wait);
      carol.awaitOutput("HEARD " + ALICE_HZ, wait).awaitOutput("HEARD " + BOB_HZ, wait);
      bob.awaitLine(Pattern.compile("^PAIR relay$", Pattern.MULTILINE), Duration.ofSeconds(10));
      carol.awaitLine(Pattern.compile("^PAIR relay$", Pattern.MULTILINE), Duration.ofSeconds(10));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n---- alice\n" + alice.tail(30) + "\n---- bob\n" + bob.tail(30)
          + "\n---- carol\n" + carol.tail(30) + "\n" + stack.logs(), e);
    }
    assertThat(alice.output()).doesNotContain("HEARD " + ALICE_HZ).doesNotContain("FAILED");
    assertThat(bob.output()).doesNotContain("HEARD " + BOB_HZ).doesNotContain("PAIR host").doesNotContain("PAIR srflx");
    assertThat(carol.output()).doesNotContain("HEARD " + CAROL_HZ).doesNotContain("PAIR host")
        .doesNotContain("PAIR srflx");
  }

  private static String[] args(String[] common, String... more) {
    List<String> all = new ArrayList<>(List.of(common));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
