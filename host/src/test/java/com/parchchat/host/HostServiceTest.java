package com.parchchat.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.host.config.HostConfig;
import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreConfig;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.Space;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.Limits;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat domain on a real SQLite file, driven by the layer-1 frames the relay would send; the
 * frames the host sends back are collected in order (the relay's side is covered by the e2e tests).
 */
class HostServiceTest {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final UserRef ALICE = new UserRef("u_alice", "alice", "Alice");
  private static final UserRef BOB = new UserRef("u_bob", "bob", "Bob");
  private static final UserRef EVE = new UserRef("u_eve", "eve", "Eve");

  @TempDir Path dir;
  private Store store;
  private HostService service;
  private final List<HostToRelay> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  @BeforeEach
  void start() {
    store = Store.open(StoreConfig.defaults(dir.resolve("host.db")));
    HostConfig config = HostConfig.of(URI.create("http://127.0.0.1:1"), "test", "h_test", null, null, false,
        Limits.DEFAULTS.withMaxFrameBytes(64 * 1024), 5, 0.001, 1, null, null, 2, null);
    service = new HostService(config, store, frame -> {
      sent.add(frame);
      // play the relay's part of user.lookup
      if (frame instanceof HostToRelay.UserLookup) {
        HostToRelay.UserLookup l = (HostToRelay.UserLookup) frame;
        UserRef u = l.username().equals("bob") ? BOB : l.username().equals("eve") ? EVE : null;
        service.onFrame(new RelayToHost.UserLookupResult(l.id(), u));
      }
    }, CODEC, System::currentTimeMillis);
    open("s_alice", ALICE);
    open("s_bob", BOB);
    open("s_eve", EVE);
  }

  @AfterEach
  void stop() {
    service.close();
    store.close();
  }

  private void open(String session, UserRef user) {
    service.onFrame(new RelayToHost.SessionOpen(session, user));
  }

  private HostReply call(String session, UserRef user, HostRequest request) {
    String id = "q" + ids.incrementAndGet();
    JsonNode body = CODEC.toBody(request);
    service.onFrame(new RelayToHost.Request(session, user, id, body));
    HostToRelay.Reply[] reply = new HostToRelay.Reply[1];
    Awaitility.await("reply to " + request.getClass().getSimpleName()).atMost(Duration.ofSeconds(20)).until(() -> {
      for (HostToRelay f : sent) {
        if (f instanceof HostToRelay.Reply && ((HostToRelay.Reply) f).id().equals(id)) {
          reply[0] = (HostToRelay.Reply) f;
          return true;
        }
      }
      return false;
    });
    try {
      return CODEC.fromBody(reply[0].body(), HostReply.class);
    } catch (ProtocolException e) {
      throw new AssertionError(e);
    }
  }

  private <R extends HostReply> R ok(String session, UserRef user, HostRequest request, Class<R> type) {
    HostReply r = call(session, user, request);
    assertThat(r).isInstanceOf(type);
    return type.cast(r);
  }

  private ErrorCode error(String session, UserRef user, HostRequest request) {
    HostReply r = call(session, user, request);
    assertThat(r).isInstanceOf(HostReply.Error.class);
    return ((HostReply.Error) r).code();
  }

  private List<HostEvent> published(String spaceId) {
    List<HostEvent> out = new ArrayList<>();
    for (HostToRelay f : sent) {
      if (f instanceof HostToRelay.Publish && ((HostToRelay.Publish) f).topic().equals(Space.topic(spaceId))) {
        try {
          out.add(CODEC.fromBody(((HostToRelay.Publish) f).body(), HostEvent.class));
        } catch (ProtocolException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }

  /** Alice's space with Bob as a member (invited and accepted). */
  private String spaceWithBob() {
    String space = ok("s_alice", ALICE, new HostRequest.SpaceCreate("Home"), HostReply.SpaceSnapshotResult.class)
        .snapshot().space().id();
    String invite = ok("s_alice", ALICE, new HostRequest.InviteUser(space, "bob"), HostReply.InviteResult.class)
        .invite().id();
    ok("s_bob", BOB, new HostRequest.InviteAccept(invite), HostReply.SpaceSnapshotResult.class);
    return space;
  }

  private String general(String space) {
    HostReply.BootstrapResult b = ok("s_alice", ALICE, new HostRequest.Bootstrap(), HostReply.BootstrapResult.class);
    return b.bootstrap().spaces().stream().filter(s -> s.space().id().equals(space)).findFirst().orElseThrow()
        .channels().get(0).id();
  }

  @Test
  void nonMembersCannotTellASpaceExists() {
    String space = spaceWithBob();
    String channel = general(space);
    List<HostRequest> probes = List.of(
        new HostRequest.SpaceRename(space, "x"),
        new HostRequest.SpaceDelete(space),
        new HostRequest.MemberList(space, null, null),
        new HostRequest.ChannelCreate(space, "x", ChannelKind.TEXT),
        new HostRequest.MessageHistory(channel, null, null, 10),
        new HostRequest.MessageSend(channel, "n", "hi", null),
        new HostRequest.MessageSearch(space, "hi", null, 10),
        new HostRequest.InviteUser(space, "bob"),
        new HostRequest.VoiceJoin(channel));
    for (HostRequest probe : probes) {
      assertThat(error("s_eve", EVE, probe)).as(probe.getClass().getSimpleName()).isEqualTo(ErrorCode.NOT_FOUND);
    }
    // same answers for ids that exist and ids that do not, including junk
    assertThat(call("s_eve", EVE, new HostRequest.SpaceRename(space, "x")))
        .isEqualTo(call("s_eve", EVE, new HostRequest.SpaceRename("424242", "x")))
        .isEqualTo(call("s_eve", EVE, new HostRequest.SpaceRename("not-a-number", "x")));
  }

  @Test
  void rolesGateAdministration() {
    String space = spaceWithBob();
    String channel = general(space);
    assertThat(error("s_bob", BOB, new HostRequest.SpaceRename(space, "mine"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(error("s_bob", BOB, new HostRequest.ChannelCreate(space, "x", ChannelKind.TEXT)))
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(error("s_bob", BOB, new HostRequest.MemberKick(space, ALICE.id()))).isEqualTo(ErrorCode.FORBIDDEN);
    Message m = ok("s_alice", ALICE, new HostRequest.MessageSend(channel, "a1", "hi", null), HostReply.MessageResult.class)
        .message();
    assertThat(error("s_bob", BOB, new HostRequest.MessageDelete(m.id()))).isEqualTo(ErrorCode.FORBIDDEN);
    ok("s_alice", ALICE, new HostRequest.MemberRoleSet(space, BOB.id(), Role.ADMIN), HostReply.Ok.class);
    ok("s_bob", BOB, new HostRequest.MessageDelete(m.id()), HostReply.Ok.class);
    ok("s_bob", BOB, new HostRequest.ChannelCreate(space, "voice", ChannelKind.VOICE), HostReply.ChannelResult.class);
    // an admin still cannot remove the owner, and the owner cannot leave
    assertThat(error("s_bob", BOB, new HostRequest.MemberKick(space, ALICE.id()))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(error("s_alice", ALICE, new HostRequest.SpaceLeave(space))).isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void kickUnsubscribesBeforeTellingTheOthers() {
    String space = spaceWithBob();
    ok("s_alice", ALICE, new HostRequest.MemberKick(space, BOB.id()), HostReply.Ok.class);
    int unsubscribe = -1;
    int kicked = -1;
    int left = -1;
    for (int i = 0; i < sent.size(); i++) {
      HostToRelay f = sent.get(i);
      if (f instanceof HostToRelay.Unsubscribe && ((HostToRelay.Unsubscribe) f).session().equals("s_bob")) {
        unsubscribe = i;
      } else if (f instanceof HostToRelay.Send && ((HostToRelay.Send) f).session().equals("s_bob")) {
        kicked = i;
      } else if (f instanceof HostToRelay.Publish
          && ((HostToRelay.Publish) f).body().path("type").asText().equals("member.left")) {
        left = i;
      }
    }
    assertThat(kicked).isNotNegative();
    assertThat(unsubscribe).isGreaterThan(kicked);
    assertThat(left).isGreaterThan(unsubscribe);
    assertThat(error("s_bob", BOB, new HostRequest.MessageHistory(general(space), null, null, 10)))
        .isEqualTo(ErrorCode.NOT_FOUND);
    // a ban also stops re-invites
    ok("s_alice", ALICE, new HostRequest.MemberBan(space, BOB.id(), "spam"), HostReply.Ok.class);
    assertThat(error("s_alice", ALICE, new HostRequest.InviteUser(space, "bob"))).isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  void badInputGetsTypedErrorsAndTheHostKeepsServing() {
    String space = spaceWithBob();
    String channel = general(space);
    assertThat(error("s_alice", ALICE, new HostRequest.MessageSend(channel, "big", "x".repeat(4001), null)))
        .isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(error("s_alice", ALICE, new HostRequest.MessageSend(channel, "n".repeat(200), "hi", null)))
        .isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(error("s_alice", ALICE, new HostRequest.SpaceCreate(" "))).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(error("s_alice", ALICE, new HostRequest.ChannelReorder(space, List.of("1", "1"))))
        .isEqualTo(ErrorCode.BAD_REQUEST);
    // a malformed body
    service.onFrame(new RelayToHost.Request("s_alice", ALICE, "junk", CODEC.toBody(new HostToRelay.Subscribe("x", List.of("y")))));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(
        f -> f instanceof HostToRelay.Reply && ((HostToRelay.Reply) f).id().equals("junk")
            && ((HostToRelay.Reply) f).body().path("code").asText().equals("bad_request")));
    // per-user rate: burst 5, then refused; other users unaffected
    int accepted = 0;
    int limited = 0;
    for (int i = 0; i < 8; i++) {
      HostReply r = call("s_bob", BOB, new HostRequest.MessageSend(channel, "r" + i, "msg " + i, null));
      if (r instanceof HostReply.MessageResult) {
        accepted++;
      } else if (((HostReply.Error) r).code() == ErrorCode.RATE_LIMITED) {
        limited++;
      }
    }
    assertThat(accepted).isEqualTo(5);
    assertThat(limited).isEqualTo(3);
    ok("s_alice", ALICE, new HostRequest.MessageSend(channel, "still", "still serving", null),
        HostReply.MessageResult.class);
  }

  @Test
  void duplicateNonceReturnsTheStoredMessageAndPublishesOnce() {
    String space = spaceWithBob();
    String channel = general(space);
    Message a = ok("s_alice", ALICE, new HostRequest.MessageSend(channel, "same", "once @bob", null),
        HostReply.MessageResult.class).message();
    Message b = ok("s_alice", ALICE, new HostRequest.MessageSend(channel, "same", "once @bob", null),
        HostReply.MessageResult.class).message();
    assertThat(b.id()).isEqualTo(a.id());
    assertThat(published(space).stream().filter(e -> e instanceof HostEvent.MessageCreated)).hasSize(1);
    assertThat(sent.stream().filter(f -> f instanceof HostToRelay.Notify
        && ((HostToRelay.Notify) f).user().equals(BOB.id())
        && ((HostToRelay.Notify) f).body().path("type").asText().equals("mention"))).hasSize(1);
  }

  @Test
  void voiceJoinAuthorizesAtTheRelayAndEnforcesCapacity() {
    String space = spaceWithBob();
    String voice = ok("s_alice", ALICE, new HostRequest.ChannelCreate(space, "talk", ChannelKind.VOICE),
        HostReply.ChannelResult.class).channel().id();
    assertThat(error("s_alice", ALICE, new HostRequest.VoiceJoin(general(space)))).isEqualTo(ErrorCode.BAD_REQUEST);
    service.onFrame(new RelayToHost.Request("s_alice", ALICE, "vj", CODEC.toBody(new HostRequest.VoiceJoin(voice))));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(f ->
        f instanceof HostToRelay.VoiceAuthorize && ((HostToRelay.VoiceAuthorize) f).id().equals("vj")
            && ((HostToRelay.VoiceAuthorize) f).room().equals(voice)));
    assertThat(published(space)).anyMatch(e -> e instanceof HostEvent.VoiceState
        && ((HostEvent.VoiceState) e).participants().size() == 1);
    // capacity is 1 in this config
    assertThat(error("s_bob", BOB, new HostRequest.VoiceJoin(voice))).isEqualTo(ErrorCode.CONFLICT);
    // leaving by closing the session frees the seat and publishes the empty state
    service.onFrame(new RelayToHost.SessionClosed("s_alice"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> published(space).stream().anyMatch(
        e -> e instanceof HostEvent.VoiceState && ((HostEvent.VoiceState) e).participants().isEmpty()));
  }
}
