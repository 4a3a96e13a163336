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
    // words become quoted phrases of their tokens; a word with no token is dropped
    assertThat(MessageRepository.ftsQuery("  foo  \"bar\" baz* (")).isEqualTo("\"foo\" \"bar\" \"baz\"*");
    assertThat(MessageRepository.ftsQuery("e-mail")).isEqualTo("\"e mail\"");
  }

  private long watermark() {
    return store.read(SearchIndexer::watermark);
  }

  private List<Long> searchIds(String query, Long before, int limit) {
    return store.read(db -> MessageRepository.search(db, space, query, before, limit, A.id())).messages().stream()
        .map(Message::id).toList();
  }

  @Test
  void aJustSentMessageIsFoundBeforeTheIndexerRuns() {
    long indexedBefore = watermark();
    Message fresh = send(A, space, channel, "f1", "quokka sighting at noon");
    // no indexer is attached in this test: the message is above the watermark, found from the tail
    assertThat(watermark()).isEqualTo(indexedBefore).isLessThan(fresh.id());
    assertThat(searchIds("quokka", null, 10)).containsExactly(fresh.id());
    assertThat(searchIds("QUOK*", null, 10)).containsExactly(fresh.id());
    assertThat(searchIds("quokka elsewhere", null, 10)).isEmpty();
  }

  @Test
  void searchMergesTheIndexAndTheUnindexedTailNewestFirstAcrossPages() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(send(A, space, channel, "m" + i, "wombat number " + i).id());
      send(B, otherSpace, otherChannel, "x" + i, "wombat in another space " + i);
      if (i == 14) {
        SearchIndexer.catchUp(store, 7); // the first 15 (and the other space's) get indexed
      }
    }
    long indexed = watermark();
    assertThat(indexed).isBetween(ids.get(14), ids.get(15) - 1);
    List<Long> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    List<Long> seen = new ArrayList<>();
    Long before = null;
    while (true) {
      Long b = before;
      MessageRepository.Page page = store.read(db -> MessageRepository.search(db, space, "wombat", b, 4, A.id()));
      page.messages().forEach(m -> seen.add(m.id()));
      if (!page.hasMore()) {
        break;
      }
      before = page.messages().get(page.messages().size() - 1).id();
    }
    assertThat(seen).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void editsAndDeletesKeepTheIndexExactOnBothSidesOfTheWatermark() {
    Message oldOne = send(A, space, channel, "e1", "penguin colony");
    Message oldGone = send(A, space, channel, "e2", "penguin to remove");
    SearchIndexer.catchUp(store, 100);
    Message newOne = send(A, space, channel, "e3", "penguin chick");
    Message newGone = send(A, space, channel, "e4", "penguin lost");
    store.write(db -> {
      MessageRepository.edit(db, oldOne.id(), "puffin colony", List.of(), 2);
      MessageRepository.edit(db, newOne.id(), "puffin chick", List.of(), 2);
      MessageRepository.delete(db, oldGone.id(), 3);
      MessageRepository.delete(db, newGone.id(), 3);
      return null;
    }).join();
    assertThat(searchIds("penguin", null, 10)).isEmpty();
    assertThat(searchIds("puffin", null, 10)).containsExactly(newOne.id(), oldOne.id());
    SearchIndexer.catchUp(store, 100);
    assertThat(searchIds("penguin", null, 10)).isEmpty();
    assertThat(searchIds("puffin", null, 10)).containsExactly(newOne.id(), oldOne.id());
    // the external-content index agrees with the messages table, row for row
    store.write(db -> db.update("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")).join();
  }

  @Test
  void theJavaTailMatchAgreesWithFts5() {
    String[] contents = {"Café crème brûlée", "CAFE au lait", "e-mail me at home", "email and mail",
        "naïve résumé", "ÅNGSTRÖM units", "foo_bar baz", "123abc 456", "日本語 テキスト", "the quick brown fox",
        "quick-brown dog", "quickly brown"};
    String[] queries = {"cafe", "café*", "creme brulee", "e-mail", "mail", "email", "naive resume", "angstrom",
        "foo", "bar", "123abc", "456", "日本語", "quick brown", "quick*", "\"quick brown\"", "brown quick", "u*",
        "Résumé naïve"};
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < contents.length; i++) {
      ids.add(send(A, space, channel, "t" + i, contents[i]).id());
    }
    java.util.Map<String, List<Long>> fromTail = new java.util.LinkedHashMap<>();
    for (String q : queries) {
      fromTail.put(q, searchIds(q, null, 50));
    }
    SearchIndexer.catchUp(store, 100);
    assertThat(watermark()).isGreaterThanOrEqualTo(ids.get(ids.size() - 1));
    for (String q : queries) {
      assertThat(searchIds(q, null, 50)).as("query %s", q).isEqualTo(fromTail.get(q));
    }
    assertThat(fromTail.get("cafe")).hasSize(2);
    assertThat(fromTail.get("quick brown")).hasSize(2);
    assertThat(fromTail.get("quick*")).hasSize(3);
  }

  @Test
  void theBackgroundIndexerCatchesUpOnTheWriterThread() {
    store.background(new SearchIndexer(10, 5, 1000, 50));
    Message last = null;
    for (int i = 0; i < 40; i++) {
      last = send(A, space, channel, "b" + i, "koala " + i);
    }
    long lastId = last.id();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> watermark() >= lastId);
    assertThat(searchIds("koala", null, 100)).hasSize(40);
    store.write(db -> db.update("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")).join();
  }

  @Test
  void aLongTailIsIndexedEvenWhenTheWriterNeverIdles() {
    // idle indexing effectively off (1,000 rows or 100 s idle): only the busy rule (tail >= 20) runs
    store.background(new SearchIndexer(10, 1000, 20, 100_000));
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String nonce = "t" + i;
      sends.add(CompletableFuture.supplyAsync(() -> send(A, space, channel, nonce, "emu " + nonce)));
    }
    long lastId = sends.stream().mapToLong(f -> f.join().id()).max().orElseThrow();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .until(() -> watermark() >= lastId - 20);
    assertThat(searchIds("emu", null, 100)).hasSize(100);
  }
}
