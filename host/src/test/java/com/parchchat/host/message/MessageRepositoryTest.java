package com.parchchat.host.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.host.space.SpaceRepository;
import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreConfig;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.UnreadCount;
import com.parchchat.protocol.signal.UserRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Message SQL on a real SQLite file: dedup, keyset paging, search scope, unread counts, mentions. */
class MessageRepositoryTest {
  private static final UserRef A = new UserRef("ua", "ann", "Ann");
  private static final UserRef B = new UserRef("ub", "ben", "Ben");

  @TempDir Path dir;
  private Store store;
  private long space;
  private long otherSpace;
  private long channel;
  private long otherChannel;

  @BeforeEach
  void setUp() {
    store = Store.open(StoreConfig.defaults(dir.resolve("host.db")));
    long[] ids = store.write(db -> {
      SpaceRepository.upsertUser(db, A, 0);
      SpaceRepository.upsertUser(db, B, 0);
      long s1 = Long.parseLong(SpaceRepository.createSpace(db, "one", A.id(), 0).id());
      long c1 = Long.parseLong(SpaceRepository.createChannel(db, s1, "general", ChannelKind.TEXT, 0).id());
      SpaceRepository.addMember(db, s1, B.id(), Role.MEMBER, 0);
      long s2 = Long.parseLong(SpaceRepository.createSpace(db, "two", B.id(), 0).id());
      long c2 = Long.parseLong(SpaceRepository.createChannel(db, s2, "general", ChannelKind.TEXT, 0).id());
      return new long[] {s1, c1, s2, c2};
    }).join();
    space = ids[0];
    channel = ids[1];
    otherSpace = ids[2];
    otherChannel = ids[3];
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private Message send(UserRef author, long spaceId, long channelId, String nonce, String content) {
    return store.write(db -> {
      Optional<MessageRepository.Stored> existing = MessageRepository.byNonce(db, author.id(), nonce);
      if (existing.isPresent()) {
        return existing.get().message();
      }
      List<String> mentions = SpaceRepository.memberIdsByUsername(db, spaceId,
          MessageRepository.mentionedUsernames(content));
      return MessageRepository.insert(db, spaceId, channelId, author, nonce, content, null, mentions, 1);
    }).join();
  }

  @Test
  void sameNonceStoresOnceEvenWhenSentConcurrently() {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(CompletableFuture.supplyAsync(() -> send(A, space, channel, "dup", "hello").id()));
    }
    long first = all.get(0).join();
    for (CompletableFuture<Long> f : all) {
      assertThat(f.join()).isEqualTo(first);
    }
    // a different author may reuse the nonce
    assertThat(send(B, space, channel, "dup", "hello").id()).isNotEqualTo(first);
    long rows = store.read(db -> db.queryLong(-1, "SELECT count(*) FROM messages"));
    assertThat(rows).isEqualTo(2);
  }

  @Test
  void keysetPagingWalksTheWholeChannelWithoutGapsOrRepeats() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      ids.add(send(i % 2 == 0 ? A : B, space, channel, "p" + i, "message " + i).id());
      send(B, otherSpace, otherChannel, "o" + i, "elsewhere " + i);
    }
    List<Long> seen = new ArrayList<>();
    Long before = null;
    boolean more = true;
    while (more) {
      Long b = before;
      MessageRepository.Page page = store.read(db -> MessageRepository.history(db, channel, b, null, 10, A.id()));
      List<Long> pageIds = page.messages().stream().map(Message::id).toList();
      assertThat(pageIds).isSorted();
      seen.addAll(0, pageIds);
      more = page.hasMore();
      before = pageIds.get(0);
    }
    assertThat(seen).containsExactlyElementsOf(ids);
    MessageRepository.Page forward = store.read(db -> MessageRepository.history(db, channel, null, ids.get(49), 100, A.id()));
    assertThat(forward.messages()).extracting(Message::id).containsExactlyElementsOf(ids.subList(50, 57));
    assertThat(forward.hasMore()).isFalse();
  }

  @Test
  void searchStaysInsideItsSpaceAndHonoursDeletes() {
    Message hit = send(A, space, channel, "s1", "the zebra crossing");
    send(B, otherSpace, otherChannel, "s2", "another zebra elsewhere");
    Message gone = send(A, space, channel, "s3", "zebra to delete");
    store.write(db -> {
      MessageRepository.delete(db, gone.id(), 2);
      return null;
    }).join();
    MessageRepository.Page found = store.read(db -> MessageRepository.search(db, space, "zebra", null, 10, A.id()));
    assertThat(found.messages()).extracting(Message::id).containsExactly(hit.id());
    // FTS syntax in user input is taken literally, never an error
    MessageRepository.Page odd = store.read(db -> MessageRepository.search(db, space, "\"zeb* AND (", null, 10, A.id()));
    assertThat(odd.messages()).isEmpty();
    MessageRepository.Page prefix = store.read(db -> MessageRepository.search(db, space, "zeb*", null, 10, A.id()));
    assertThat(prefix.messages()).extracting(Message::id).containsExactly(hit.id());
  }

  @Test
  void unreadCountsFollowReadMarksAndMentions() {
    send(A, space, channel, "u1", "hi @ben");
    Message second = send(A, space, channel, "u2", "how are you");
    send(B, space, channel, "u3", "my own message does not count");
    UnreadCount ben = unreadOf(B.id(), channel);
    assertThat(ben.count()).isEqualTo(2);
    assertThat(ben.mentions()).isEqualTo(1);
    store.write(db -> {
      MessageRepository.markRead(db, B.id(), channel, second.id(), 5);
      MessageRepository.markRead(db, B.id(), channel, 1, 6); // never moves backwards
      return null;
    }).join();
    UnreadCount after = unreadOf(B.id(), channel);
    assertThat(after.count()).isZero();
    assertThat(after.mentions()).isZero();
    assertThat(after.lastRead()).isEqualTo(second.id());
  }

  private UnreadCount unreadOf(String user, long channelId) {
    return store.read(db -> MessageRepository.unread(db, user)).stream()
        .filter(u -> u.channelId().equals(Long.toString(channelId))).findFirst().orElseThrow();
  }

  @Test
  void mentionParsing() {
    assertThat(MessageRepository.mentionedUsernames("hi @ann and @ben. mail x@y.z @ann"))
        .containsExactly("ann", "ben");
    assertThat(MessageRepository.ftsQuery("  foo  \"bar\" baz* ")).isEqualTo("\"foo\" \"\"\"bar\"\"\" \"baz\"*");
  }
}
