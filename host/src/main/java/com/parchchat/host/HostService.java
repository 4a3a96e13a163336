package com.parchchat.host;

import com.parchchat.host.auth.HostApiException;
import com.parchchat.host.config.HostConfig;
import com.parchchat.host.message.MessageRepository;
import com.parchchat.host.message.MessageService;
import com.parchchat.host.relaylink.Outbox;
import com.parchchat.host.relaylink.RelayListener;
import com.parchchat.host.relaylink.UserDirectory;
import com.parchchat.host.session.Caller;
import com.parchchat.host.session.ChatContext;
import com.parchchat.host.session.Fanout;
import com.parchchat.host.session.Sessions;
import com.parchchat.host.space.SpaceRepository;
import com.parchchat.host.space.SpaceService;
import com.parchchat.host.store.Store;
import com.parchchat.host.store.StoreException;
import com.parchchat.host.voice.VoiceRooms;
import com.parchchat.host.voice.VoiceService;
import com.parchchat.protocol.api.Bootstrap;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Space;
import com.parchchat.protocol.api.SpaceSnapshot;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's chat logic behind the relay link: sessions and presence, and the dispatch of every
 * host-API request to its service. Frames are taken off the Netty event loop onto one dispatch
 * thread (so they are handled in arrival order and writes reach the store queue in that order);
 * reads run on a small pool. Every failure becomes a typed error reply and the host keeps
 * serving.
 */
public final class HostService implements RelayListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostService.class);

  private final ChatContext ctx;
  private final Outbox outbox;
  private final UserDirectory directory;
  private final SpaceService spaces;
  private final MessageService messages;
  private final VoiceService voice;
  private final ExecutorService dispatch;
  private final ExecutorService readPool;
  private final Map<String, UserRef> knownUsers = new ConcurrentHashMap<>();
  private volatile boolean relayOnline;

  public HostService(HostConfig config, Store store, Outbox outbox, SignalCodec codec, LongSupplier clock) {
    this.outbox = outbox;
    Sessions sessions = new Sessions();
    this.ctx = new ChatContext(store, new Fanout(outbox, codec, sessions, config.publishTimestamps()), sessions, new VoiceRooms(), config, codec,
        clock);
    this.directory = new UserDirectory(outbox, 10_000);
    this.dispatch = Executors.newSingleThreadExecutor(named("host-dispatch"));
    this.readPool = Executors.newFixedThreadPool(config.workers(), named("host-read"));
    this.spaces = new SpaceService(ctx, directory, readPool);
    this.messages = new MessageService(ctx, readPool);
    this.voice = new VoiceService(ctx, readPool);
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public Sessions sessions() {
    return ctx.sessions();
  }

  public boolean relayOnline() {
    return relayOnline;
  }

  // ---- relay link callbacks (event loop: hand off at once) ----

  @Override
  public void onReady(String hostId) {
    relayOnline = true;
  }

  @Override
  public void onDisconnected() {
    relayOnline = false;
    dispatch.execute(() -> {
      ctx.sessions().clear();
      ctx.voice().clear();
      directory.failAll();
    });
  }

  @Override
  public void onFrame(RelayToHost frame) {
    try {
      dispatch.execute(() -> handle(frame));
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      log.debug("dropping {}: shutting down", frame.getClass().getSimpleName());
    }
  }

  void handle(RelayToHost frame) {
    try {
      if (frame instanceof RelayToHost.Request) {
        request((RelayToHost.Request) frame);
      } else if (frame instanceof RelayToHost.SessionOpen) {
        RelayToHost.SessionOpen open = (RelayToHost.SessionOpen) frame;
        sessionOpen(open.session(), open.user());
      } else if (frame instanceof RelayToHost.SessionClosed) {
        sessionClosed(((RelayToHost.SessionClosed) frame).session());
      } else if (frame instanceof RelayToHost.UserLookupResult) {
        directory.complete((RelayToHost.UserLookupResult) frame);
      } else if (frame instanceof RelayToHost.Error) {
        RelayToHost.Error e = (RelayToHost.Error) frame;
        if (!directory.fail(e.id(), e.code(), e.message())) {
          log.warn("relay rejected a frame ({}): {}", e.code().wire(), e.message());
        }
      } else {
        log.debug("ignoring {}", frame.getClass().getSimpleName());
      }
    } catch (RuntimeException e) {
      log.error("failed to handle {}", frame.getClass().getSimpleName(), e);
    }
  }

  // ---- sessions and presence ----

  private void sessionOpen(String session, UserRef user) {
    rememberUser(user);
    boolean first = ctx.sessions().open(session, user);
    List<String> spaceIds = new ArrayList<>();
    for (Space s : ctx.store().read(db -> SpaceRepository.spacesOf(db, user.id()))) {
      spaceIds.add(s.id());
    }
    ctx.fanout().subscribe(session, spaceIds);
    if (first) {
      for (String sid : spaceIds) {
        ctx.fanout().publish(sid, new HostEvent.Presence(user.id(), true));
      }
    }
  }

  private void sessionClosed(String session) {
    voice.sessionClosed(session);
    Sessions.Closed closed = ctx.sessions().close(session);
    if (closed != null && closed.lastSession()) {
      String userId = closed.user().id();
      for (Space s : ctx.store().read(db -> SpaceRepository.spacesOf(db, userId))) {
        ctx.fanout().publish(s.id(), new HostEvent.Presence(userId, false));
      }
    }
  }

  /** Keeps the users table current with what the relay vouches for (write only on change). */
  private void rememberUser(UserRef user) {
    UserRef previous = knownUsers.put(user.id(), user);
    if (!user.equals(previous)) {
      ctx.store().write(db -> {
        SpaceRepository.upsertUser(db, user, ctx.now());
        return null;
      }).exceptionally(e -> {
        knownUsers.remove(user.id());
        log.error("cannot record user {}", user.id(), e);
        return null;
      });
    }
  }

  // ---- requests ----

  private void request(RelayToHost.Request r) {
    Caller caller = new Caller(r.session(), r.user());
    if (ctx.sessions().user(r.session()) == null) {
      // a request can overtake nothing on one connection, but be lenient: treat it as attached
      sessionOpen(r.session(), r.user());
    } else {
      rememberUser(r.user());
    }
    HostRequest req;
    try {
      req = ctx.codec().fromBody(r.body(), HostRequest.class);
    } catch (ProtocolException e) {
      reply(r, new HostReply.Error(e.code(), e.getMessage()));
      return;
    }
    CompletableFuture<HostReply> result;
    try {
      result = route(caller, r.id(), req);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete((reply, error) -> {
      if (error != null) {
        reply(r, toError(error, req));
      } else if (reply != null) {
        reply(r, reply);
      }
    });
  }

  private HostReply.Error toError(Throwable error, HostRequest req) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HostApiException) {
      HostApiException h = (HostApiException) e;
      return new HostReply.Error(h.code(), h.getMessage());
    }
    if (e instanceof StoreException) {
      log.error("store failure in {}", req.getClass().getSimpleName(), e);
      return new HostReply.Error(ErrorCode.UNAVAILABLE, "the host's database is unavailable");
    }
    log.error("unexpected failure in {}", req.getClass().getSimpleName(), e);
    return new HostReply.Error(ErrorCode.INTERNAL, "internal error");
  }

  private void reply(RelayToHost.Request r, HostReply body) {
    outbox.send(new HostToRelay.Reply(r.session(), r.id(), ctx.codec().toBody(body)));
  }

  /** One place that maps each request type to its handler. */
  CompletableFuture<HostReply> route(Caller c, String id, HostRequest r) {
    if (r instanceof HostRequest.MessageSend) {
      return messages.send(c, (HostRequest.MessageSend) r);
    } else if (r instanceof HostRequest.MessageHistory) {
      return messages.history(c, (HostRequest.MessageHistory) r);
    } else if (r instanceof HostRequest.Bootstrap) {
      return bootstrap(c);
    } else if (r instanceof HostRequest.MessageEdit) {
      return messages.edit(c, (HostRequest.MessageEdit) r);
    } else if (r instanceof HostRequest.MessageDelete) {
      return messages.delete(c, (HostRequest.MessageDelete) r);
    } else if (r instanceof HostRequest.MessageSearch) {
      return messages.search(c, (HostRequest.MessageSearch) r);
    } else if (r instanceof HostRequest.ReactionAdd) {
      HostRequest.ReactionAdd a = (HostRequest.ReactionAdd) r;
      return messages.react(c, a.messageId(), a.emoji(), true);
    } else if (r instanceof HostRequest.ReactionRemove) {
      HostRequest.ReactionRemove a = (HostRequest.ReactionRemove) r;
      return messages.react(c, a.messageId(), a.emoji(), false);
    } else if (r instanceof HostRequest.ReadMark) {
      return messages.markRead(c, (HostRequest.ReadMark) r);
    } else if (r instanceof HostRequest.Typing) {
      return messages.typing(c, (HostRequest.Typing) r);
    } else if (r instanceof HostRequest.SpaceCreate) {
      return spaces.create(c, (HostRequest.SpaceCreate) r);
    } else if (r instanceof HostRequest.SpaceRename) {
      return spaces.rename(c, (HostRequest.SpaceRename) r);
    } else if (r instanceof HostRequest.SpaceDelete) {
      return spaces.delete(c, (HostRequest.SpaceDelete) r);
    } else if (r instanceof HostRequest.SpaceLeave) {
      return spaces.leave(c, (HostRequest.SpaceLeave) r);
    } else if (r instanceof HostRequest.ChannelCreate) {
      return spaces.createChannel(c, (HostRequest.ChannelCreate) r);
    } else if (r instanceof HostRequest.ChannelRename) {
      return spaces.renameChannel(c, (HostRequest.ChannelRename) r);
    } else if (r instanceof HostRequest.ChannelReorder) {
      return spaces.reorder(c, (HostRequest.ChannelReorder) r);
    } else if (r instanceof HostRequest.ChannelDelete) {
      return spaces.deleteChannel(c, (HostRequest.ChannelDelete) r);
    } else if (r instanceof HostRequest.MemberList) {
      return spaces.members(c, (HostRequest.MemberList) r);
    } else if (r instanceof HostRequest.MemberRoleSet) {
      return spaces.setRole(c, (HostRequest.MemberRoleSet) r);
    } else if (r instanceof HostRequest.MemberKick) {
      return spaces.kick(c, (HostRequest.MemberKick) r);
    } else if (r instanceof HostRequest.MemberBan) {
      return spaces.ban(c, (HostRequest.MemberBan) r);
    } else if (r instanceof HostRequest.MemberUnban) {
      return spaces.unban(c, (HostRequest.MemberUnban) r);
    } else if (r instanceof HostRequest.InviteUser) {
      return spaces.invite(c, (HostRequest.InviteUser) r);
    } else if (r instanceof HostRequest.InviteAccept) {
      return spaces.accept(c, (HostRequest.InviteAccept) r);
    } else if (r instanceof HostRequest.InviteDecline) {
      return spaces.decline(c, (HostRequest.InviteDecline) r);
    } else if (r instanceof HostRequest.InviteList) {
      return spaces.invites(c);
    } else if (r instanceof HostRequest.InviteCodeCreate) {
      return spaces.createCode(c, (HostRequest.InviteCodeCreate) r);
    } else if (r instanceof HostRequest.InviteCodeRedeem) {
      return spaces.redeem(c, (HostRequest.InviteCodeRedeem) r);
    } else if (r instanceof HostRequest.VoiceJoin) {
      return voice.join(c, id, (HostRequest.VoiceJoin) r);
    } else if (r instanceof HostRequest.VoiceLeave) {
      return voice.leave(c);
    } else if (r instanceof HostRequest.VoiceStateSet) {
      return voice.setState(c, (HostRequest.VoiceStateSet) r);
    }
    throw HostApiException.badRequest("unsupported request " + r.getClass().getSimpleName());
  }

  private CompletableFuture<HostReply> bootstrap(Caller c) {
    return CompletableFuture.supplyAsync(() -> ctx.store().read(db -> {
      List<SpaceSnapshot> snaps = new ArrayList<>();
      for (Space s : SpaceRepository.spacesOf(db, c.userId())) {
        snaps.add(spaces.snapshot(db, Long.parseLong(s.id())));
      }
      return new HostReply.BootstrapResult(new Bootstrap(c.user(), snaps, MessageRepository.unread(db, c.userId()),
          SpaceRepository.pendingInvitesFor(db, c.userId())));
    }), readPool);
  }

  @Override
  public void close() {
    dispatch.shutdown();
    try {
      dispatch.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    readPool.shutdown();
  }
}
