package com.parchchat.e2e.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Reaction;
import com.parchchat.protocol.api.UnreadCount;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, point 8: real relay and host processes, three users on real WebSockets, through the
 * whole chat life cycle, including a host restart.
 */
class HostE2eTest {
  @TempDir Path dir;

  /**
   * The relay and host jars for the host tests, the host with {@code hostSettingsYaml} in its
   * host.yaml. The test users send far faster than people do, so the relay's per-connection frame
   * rate is lifted.
   */
  static ParchStack stack(Path dir, String hostSettingsYaml) {
    return ParchStack.builder(dir)
        .jvmOptions("-Xmx256m", "-XX:TieredStopAtLevel=1")
        .relayYaml("limits:\n  messagesPerSecond: 100000\n  messageBurst: 100000\n"
            + "  floodDisconnectAfter: 1000000\n  requestTimeoutMillis: 10000\n")
        .host("E2E community")
        .hostYaml(hostSettingsYaml)
        .start();
  }

  @Test
  void chatLifeCycleThroughRealRelayAndHost() throws Exception {
    try (ParchStack stack = stack(dir, "messageBurst: 500\nmessagesPerSecond: 500\n")) {
      String host = stack.hostKey();
      try (ChatClient alice = ChatClient.signUp(stack.relayUrl(), "alice");
          ChatClient bob = ChatClient.signUp(stack.relayUrl(), "bob");
          ChatClient carol = ChatClient.signUp(stack.relayUrl(), "carol")) {
        alice.attach(host);
        bob.attach(host);
        carol.attach(host);

        // create a space: it comes with a text channel
        HostReply.SpaceSnapshotResult created =
            alice.call(host, new HostRequest.SpaceCreate("Team"), HostReply.SpaceSnapshotResult.class);
        String space = created.snapshot().space().id();
        Channel general = created.snapshot().channels().get(0);

        // a non-member learns nothing, not even that the space exists
        assertThat(bob.fail(host, new HostRequest.MessageHistory(general.id(), null, null, 10)).code())
            .isEqualTo(ErrorCode.NOT_FOUND);
        HostReply.Error probe = bob.fail(host, new HostRequest.SpaceRename(space, "mine"));
        HostReply.Error nonexistent = bob.fail(host, new HostRequest.SpaceRename("999999", "mine"));
        assertThat(probe).isEqualTo(nonexistent);

        // invite by username: the invitee is told by notify, accepts, and everybody sees the join
        HostReply.InviteResult invite =
            alice.call(host, new HostRequest.InviteUser(space, "bob"), HostReply.InviteResult.class);
        bob.awaitNotification(HostEvent.InviteReceived.class, e -> e.invite().id().equals(invite.invite().id()));
        HostReply.SpaceSnapshotResult joined = bob.call(host, new HostRequest.InviteAccept(invite.invite().id()),
            HostReply.SpaceSnapshotResult.class);
        assertThat(joined.snapshot().space().name()).isEqualTo("Team");
        alice.awaitEvent(HostEvent.MemberJoined.class, e -> e.member().username().equals("bob"));

        // carol joins by code
        HostReply.InviteCodeResult code = alice.call(host, new HostRequest.InviteCodeCreate(space, 1, 3600L),
            HostReply.InviteCodeResult.class);
        carol.call(host, new HostRequest.InviteCodeRedeem(code.inviteCode().code()), HostReply.SpaceSnapshotResult.class);
        assertThat(bob.fail(host, new HostRequest.InviteCodeRedeem(code.inviteCode().code())).code())
            .isEqualTo(ErrorCode.NOT_FOUND);

        // send and receive, with a mention
        Message first = alice.call(host, new HostRequest.MessageSend(general.id(), "n-1", "hello @bob", null),
            HostReply.MessageResult.class).message();
        bob.awaitEvent(HostEvent.MessageCreated.class, e -> e.message().id() == first.id());
        carol.awaitEvent(HostEvent.MessageCreated.class, e -> e.message().id() == first.id());
        bob.awaitNotification(HostEvent.Mention.class, e -> e.message().id() == first.id());
        assertThat(first.mentions()).containsExactly(bob.user.id());

        // a re-sent nonce stores nothing new
        Message again = alice.call(host, new HostRequest.MessageSend(general.id(), "n-1", "hello @bob", null),
            HostReply.MessageResult.class).message();
        assertThat(again.id()).isEqualTo(first.id());

        List<Long> bobIds = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          bobIds.add(bob.call(host, new HostRequest.MessageSend(general.id(), "b-" + i, "message " + i, first.id()),
              HostReply.MessageResult.class).message().id());
        }

        // history by keyset paging: newest page, then older pages, ascending within each page
        List<Message> all = pageAll(alice, host, general.id());
        assertThat(all).hasSize(25);
        assertThat(all.stream().map(Message::id).collect(Collectors.toList())).isSorted().doesNotHaveDuplicates();
        assertThat(all.stream().filter(m -> "n-1".equals(m.nonce()) && m.author().id().equals(alice.user.id())))
            .hasSize(1);
        HostReply.MessagesResult after = alice.call(host,
            new HostRequest.MessageHistory(general.id(), null, bobIds.get(19), 10), HostReply.MessagesResult.class);
        assertThat(after.messages()).extracting(Message::id).containsExactlyElementsOf(bobIds.subList(20, 24));
        assertThat(after.hasMore()).isFalse();

        // edit own; edit someone else's is forbidden; delete own
        Message edited = alice.call(host, new HostRequest.MessageEdit(first.id(), "hello @bob, edited"),
            HostReply.MessageResult.class).message();
        assertThat(edited.editedAt()).isNotNull();
        bob.awaitEvent(HostEvent.MessageUpdated.class, e -> e.message().content().equals("hello @bob, edited"));
        assertThat(bob.fail(host, new HostRequest.MessageEdit(first.id(), "hijack")).code()).isEqualTo(ErrorCode.FORBIDDEN);
        long deleted = bobIds.get(0);
        bob.call(host, new HostRequest.MessageDelete(deleted), HostReply.Ok.class);
        alice.awaitEvent(HostEvent.MessageDeleted.class, e -> e.messageId() == deleted);

        // reactions: counted once per user, with the viewer's own flag in history
        bob.call(host, new HostRequest.ReactionAdd(first.id(), "👍"), HostReply.Ok.class);
        bob.call(host, new HostRequest.ReactionAdd(first.id(), "👍"), HostReply.Ok.class);
        alice.awaitEvent(HostEvent.ReactionUpdated.class, e -> e.messageId() == first.id() && e.count() == 1);
        Message seenByBob = find(pageAll(bob, host, general.id()), first.id());
        assertThat(seenByBob.reactions()).containsExactly(new Reaction("👍", 1, true));
        Message seenByAlice = find(pageAll(alice, host, general.id()), first.id());
        assertThat(seenByAlice.reactions()).containsExactly(new Reaction("👍", 1, false));

        // search, permission-checked
        HostReply.MessagesResult found = bob.call(host, new HostRequest.MessageSearch(space, "edited", null, 10),
            HostReply.MessagesResult.class);
        assertThat(found.messages()).extracting(Message::id).containsExactly(first.id());
        try (ChatClient dave = ChatClient.signUp(stack.relayUrl(), "dave")) {
          dave.attach(host);
          assertThat(dave.fail(host, new HostRequest.MessageSearch(space, "edited", null, 10)).code())
              .isEqualTo(ErrorCode.NOT_FOUND);
        }

        // unread counts: carol has read nothing; after marking read, zero
        List<Message> live = pageAll(carol, host, general.id());
        long unreadForCarol = live.stream().filter(m -> !m.author().id().equals(carol.user.id())).count();
        assertThat(unread(carol, host, general.id()).count()).isEqualTo((int) unreadForCarol);
        assertThat(unread(bob, host, general.id()).mentions()).isEqualTo(1);
        carol.call(host, new HostRequest.ReadMark(general.id(), live.get(live.size() - 1).id()), HostReply.Ok.class);
        assertThat(unread(carol, host, general.id()).count()).isZero();

        // bad input gets a typed error and the host keeps serving
        assertThat(alice.fail(host, new HostRequest.MessageSend(general.id(), "big", "x".repeat(4001), null)).code())
            .isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(alice.fail(host, new HostRequest.MessageSend("123456", "x1", "hi", null)).code())
            .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(alice.fail(host, new HostRequest.MessageSend(general.id(), "x2", "   ", null)).code())
            .isEqualTo(ErrorCode.BAD_REQUEST);

        // kick: carol is told, unsubscribed at once, and gets nothing more from the space
        alice.call(host, new HostRequest.MemberKick(space, carol.user.id()), HostReply.Ok.class);
        carol.awaitNotification(HostEvent.Kicked.class, e -> e.spaceId().equals(space));
        bob.awaitEvent(HostEvent.MemberLeft.class, e -> e.userId().equals(carol.user.id()));
        int carolEventsAfterKick = carol.events.size();
        Message afterKick = alice.call(host, new HostRequest.MessageSend(general.id(), "n-after-kick", "secret plans",
            null), HostReply.MessageResult.class).message();
        bob.awaitEvent(HostEvent.MessageCreated.class, e -> e.message().id() == afterKick.id());
        // a round trip on carol's own connection: anything published before it has reached her
        carol.call(host, new HostRequest.InviteList(), HostReply.InvitesResult.class);
        assertThat(carol.events.subList(carolEventsAfterKick, carol.events.size())).isEmpty();
        assertThat(carol.fail(host, new HostRequest.MessageHistory(general.id(), null, null, 10)).code())
            .isEqualTo(ErrorCode.NOT_FOUND);

        // host restart: history intact, the relay re-opens the sessions
        List<Message> before = pageAll(alice, host, general.id());
        int statusesBefore = alice.statuses.size();
        stack.stopHost();
        stack.startHost();
        Awaitility.await("alice sees the host back").atMost(Duration.ofSeconds(60)).until(() ->
            alice.statuses.subList(statusesBefore, alice.statuses.size()).stream().anyMatch(s -> s.online()));
        List<Message> afterRestart = pageAll(alice, host, general.id());
        assertThat(afterRestart).extracting(Message::id).containsExactlyElementsOf(
            before.stream().map(Message::id).collect(Collectors.toList()));
        Message post = alice.call(host, new HostRequest.MessageSend(general.id(), "n-post", "back again", null),
            HostReply.MessageResult.class).message();
        bob.awaitEvent(HostEvent.MessageCreated.class, e -> e.message().id() == post.id());
        assertThat(post.id()).isGreaterThan(afterKick.id());
      }
    }
  }

  private static Message find(List<Message> list, long id) {
    return list.stream().filter(m -> m.id() == id).findFirst().orElseThrow();
  }

  private static UnreadCount unread(ChatClient c, String host, String channelId) throws Exception {
    HostReply.BootstrapResult b = c.call(host, new HostRequest.Bootstrap(), HostReply.BootstrapResult.class);
    return b.bootstrap().unread().stream().filter(u -> u.channelId().equals(channelId)).findFirst().orElseThrow();
  }

  /** Pages a channel's whole history backwards, 10 at a time, and returns it in ascending order. */
  static List<Message> pageAll(ChatClient c, String host, String channelId) throws Exception {
    List<Message> out = new ArrayList<>();
    Long before = null;
    while (true) {
      HostReply.MessagesResult page = c.call(host, new HostRequest.MessageHistory(channelId, before, null, 10),
          HostReply.MessagesResult.class);
      out.addAll(0, page.messages());
      if (!page.hasMore() || page.messages().isEmpty()) {
        return out;
      }
      before = page.messages().get(0).id();
    }
  }
}
