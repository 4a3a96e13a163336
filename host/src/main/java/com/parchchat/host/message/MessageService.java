package com.parchchat.host.message;

import com.parchchat.host.auth.Access;
import com.parchchat.host.auth.HostApiException;
import com.parchchat.host.auth.Ids;
import com.parchchat.host.session.Caller;
import com.parchchat.host.session.ChatContext;
import com.parchchat.host.space.SpaceRepository;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.SignalCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Messages: send (idempotent per author + nonce, acknowledged after commit), edit, delete,
 * reactions, read marks, typing, history and search. Writes check access inside their
 * transaction; events go out after the commit.
 */
public final class MessageService {
  /** Longest search query accepted. */
  public static final int MAX_QUERY_CHARS = 256;

  private static final HostReply OK = new HostReply.Ok();

  private final ChatContext ctx;
  private final Executor readPool;
  private final RateLimiter rate;

  public MessageService(ChatContext ctx, Executor readPool) {
    this.ctx = ctx;
    this.readPool = readPool;
    this.rate = new RateLimiter(ctx.config().messageBurst(), ctx.config().messagesPerSecond(), System::nanoTime);
  }

  private String checkContent(String content) {
    if (content.isBlank()) {
      throw HostApiException.badRequest("content must not be blank");
    }
    if (content.length() > ctx.limits().maxContentChars()) {
      throw HostApiException.tooLarge("content exceeds " + ctx.limits().maxContentChars() + " characters");
    }
    return content;
  }

  public CompletableFuture<HostReply> send(Caller c, HostRequest.MessageSend r) {
    String content = checkContent(r.content());
    if (r.nonce().length() > ctx.limits().maxIdChars()) {
      throw HostApiException.tooLarge("nonce exceeds " + ctx.limits().maxIdChars() + " characters");
    }
    if (!rate.tryAcquire(c.userId())) {
      throw new HostApiException(ErrorCode.RATE_LIMITED, "too many messages; slow down");
    }
    long channelId = Ids.parse(r.channelId());
    // only database work in here (no events, no in-memory state): safe to run twice
    return ctx.store().writeRetryable(db -> {
      Access.ChannelAccess access;
      List<String> mentions;
      try {
        access = Access.requireChannel(db, channelId, c.userId());
        if (access.kind() != ChannelKind.TEXT) {
          throw HostApiException.badRequest("messages go to text channels");
        }
        if (r.replyTo() != null) {
          var target = MessageRepository.ref(db, r.replyTo());
          if (target.isEmpty() || target.get().channelId() != channelId || target.get().deleted()) {
            throw HostApiException.notFound("message to reply to");
          }
        }
        mentions = mentions(db, access.spaceId(), content, c.userId());
      } catch (HostApiException refused) {
        // a re-send of a message stored earlier is answered with that message, whatever changed since
        var existing = MessageRepository.byNonce(db, c.userId(), r.nonce());
        if (existing.isPresent()) {
          return existing.get();
        }
        throw refused;
      }
      long now = ctx.now();
      long id = MessageRepository.insertIfNew(db, access.spaceId(), channelId, c.user(), r.nonce(), content,
          r.replyTo(), mentions, now);
      if (id < 0) {
        return MessageRepository.byNonce(db, c.userId(), r.nonce()).orElseThrow();
      }
      Message m = new Message(id, Long.toString(channelId), c.user(), r.nonce(), content, now, null, r.replyTo(),
          List.of(), mentions);
      return new MessageRepository.Stored(access.spaceId(), m, false);
    }).thenApply(stored -> {
      Message m = stored.message();
      if (!stored.duplicate()) {
        String spaceId = Long.toString(stored.spaceId());
        ctx.fanout().publish(spaceId, new HostEvent.MessageCreated(m));
        for (String user : m.mentions()) {
          ctx.fanout().notify(user, new HostEvent.Mention(spaceId, m));
        }
      }
      return new HostReply.MessageResult(m);
    });
  }

  private static List<String> mentions(com.parchchat.host.store.Db db, long spaceId, String content, String authorId)
      throws java.sql.SQLException {
    Set<String> names = MessageRepository.mentionedUsernames(content);
    if (names.isEmpty()) {
      return List.of();
    }
    List<String> ids = new ArrayList<>(SpaceRepository.memberIdsByUsername(db, spaceId, names));
    ids.remove(authorId);
    return ids;
  }

  public CompletableFuture<HostReply> edit(Caller c, HostRequest.MessageEdit r) {
    String content = checkContent(r.content());
    return ctx.store().write(db -> {
      MessageRepository.Ref ref = visible(db, r.messageId(), c.userId());
      if (!ref.authorId().equals(c.userId())) {
        throw HostApiException.forbidden("only the author may edit a message");
      }
      List<String> mentions = mentions(db, ref.spaceId(), content, c.userId());
      MessageRepository.edit(db, ref.id(), content, mentions, ctx.now());
      return new MessageRepository.Stored(ref.spaceId(), MessageRepository.get(db, ref.id()).orElseThrow(), false);
    }).thenApply(stored -> {
      ctx.fanout().publish(Long.toString(stored.spaceId()), new HostEvent.MessageUpdated(stored.message()));
      return new HostReply.MessageResult(stored.message());
    });
  }

  /** A live message in a space the user is a member of; {@code not_found} otherwise. */
  private static MessageRepository.Ref visible(com.parchchat.host.store.Db db, long messageId, String userId)
      throws java.sql.SQLException {
    MessageRepository.Ref ref = MessageRepository.ref(db, messageId).orElseThrow(() -> HostApiException.notFound("message"));
    if (Access.roleOf(db, ref.spaceId(), userId) == null || ref.deleted()) {
      throw HostApiException.notFound("message");
    }
    return ref;
  }

  public CompletableFuture<HostReply> delete(Caller c, HostRequest.MessageDelete r) {
    return ctx.store().write(db -> {
      MessageRepository.Ref ref = visible(db, r.messageId(), c.userId());
      Role role = Access.roleOf(db, ref.spaceId(), c.userId());
      if (!ref.authorId().equals(c.userId()) && !role.atLeast(Role.ADMIN)) {
        throw HostApiException.forbidden("only the author or an admin may delete a message");
      }
      MessageRepository.delete(db, ref.id(), ctx.now());
      return ref;
    }).thenApply(ref -> {
      ctx.fanout().publish(Long.toString(ref.spaceId()),
          new HostEvent.MessageDeleted(Long.toString(ref.channelId()), ref.id()));
      return OK;
    });
  }

  public CompletableFuture<HostReply> history(Caller c, HostRequest.MessageHistory r) {
    long channelId = Ids.parse(r.channelId());
    int limit = Math.min(r.limit(), ctx.limits().maxHistoryPage());
    return CompletableFuture.supplyAsync(() -> ctx.store().read(db -> {
      Access.requireChannel(db, channelId, c.userId());
      MessageRepository.Page page = MessageRepository.history(db, channelId, r.before(), r.after(), limit, c.userId());
      // keep the messages nearest the anchor if the page must shrink to fit a frame
      return fit(page.messages(), page.hasMore(), r.after() == null);
    }), readPool);
  }

  public CompletableFuture<HostReply> search(Caller c, HostRequest.MessageSearch r) {
    if (r.query().length() > MAX_QUERY_CHARS) {
      throw HostApiException.tooLarge("query exceeds " + MAX_QUERY_CHARS + " characters");
    }
    long spaceId = Ids.parse(r.spaceId());
    int limit = Math.min(r.limit(), ctx.limits().maxSearchResults());
    return CompletableFuture.supplyAsync(() -> ctx.store().read(db -> {
      Access.requireMember(db, spaceId, c.userId());
      MessageRepository.Page page = MessageRepository.search(db, spaceId, r.query(), r.before(), limit, c.userId());
      return fit(page.messages(), page.hasMore(), false);
    }), readPool);
  }

  /**
   * Shrinks a page until its reply fits a host frame (with room for the envelope); dropped
   * messages are the ones farthest from the anchor, and {@code hasMore} becomes true.
   */
  HostReply fit(List<Message> messages, boolean hasMore, boolean keepTail) {
    SignalCodec codec = ctx.codec();
    int max = ctx.limits().maxHostFrameBytes() - SignalCodec.ENVELOPE_SLACK_BYTES;
    List<Message> list = messages;
    boolean more = hasMore;
    while (list.size() > 1 && codec.encodeUtf8(new HostReply.MessagesResult(list, more)).length > max) {
      int keep = list.size() / 2;
      list = keepTail ? list.subList(list.size() - keep, list.size()) : list.subList(0, keep);
      more = true;
    }
    return new HostReply.MessagesResult(new ArrayList<>(list), more);
  }

  public CompletableFuture<HostReply> react(Caller c, long messageId, String emoji, boolean add) {
    String e = emoji.strip();
    if (e.isEmpty()) {
      throw HostApiException.badRequest("emoji must not be blank");
    }
    if (e.length() > ctx.limits().maxEmojiChars()) {
      throw HostApiException.tooLarge("emoji exceeds " + ctx.limits().maxEmojiChars() + " characters");
    }
    record Reacted(long spaceId, HostEvent.ReactionUpdated event) {}
    return ctx.store().write(db -> {
      MessageRepository.Ref ref = visible(db, messageId, c.userId());
      int count = add
          ? MessageRepository.addReaction(db, messageId, e, c.userId(), ctx.now())
          : MessageRepository.removeReaction(db, messageId, e, c.userId());
      return new Reacted(ref.spaceId(),
          new HostEvent.ReactionUpdated(Long.toString(ref.channelId()), messageId, e, c.userId(), add, count));
    }).thenApply(x -> {
      ctx.fanout().publish(Long.toString(x.spaceId()), x.event());
      return OK;
    });
  }

  public CompletableFuture<HostReply> markRead(Caller c, HostRequest.ReadMark r) {
    long channelId = Ids.parse(r.channelId());
    return ctx.store().write(db -> {
      Access.requireChannel(db, channelId, c.userId());
      MessageRepository.markRead(db, c.userId(), channelId, r.messageId(), ctx.now());
      return OK;
    });
  }

  public CompletableFuture<HostReply> typing(Caller c, HostRequest.Typing r) {
    long channelId = Ids.parse(r.channelId());
    return CompletableFuture.supplyAsync(() -> {
      Access.ChannelAccess a = ctx.store().read(db -> Access.requireChannel(db, channelId, c.userId()));
      ctx.fanout().publish(Long.toString(a.spaceId()), new HostEvent.Typing(r.channelId(), c.userId()));
      return OK;
    }, readPool);
  }
}
