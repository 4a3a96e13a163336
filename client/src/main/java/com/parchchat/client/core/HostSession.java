package com.parchchat.client.core;

import com.parchchat.protocol.api.Bootstrap;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Invite;
import com.parchchat.protocol.api.InviteCode;
import com.parchchat.protocol.api.Member;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Reaction;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.SpaceSnapshot;
import com.parchchat.protocol.api.UnreadCount;
import com.parchchat.protocol.api.VoiceChannelState;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host the user added: its link state, the community model (spaces, channels, members,
 * unread counts, presence, typing, voice participants), per-channel message logs, and the outbox.
 *
 * <p>Consistency rules: every (re)attach that finds the host online runs {@code bootstrap}, then
 * fetches what each open channel missed by keyset paging after its newest known id, then re-sends
 * the outbox. Every send carries a nonce that stays the same across re-sends until the host
 * acknowledges it (the host deduplicates by author + nonce), so a message is stored once however
 * often the link drops; {@link ChannelLog} shows it once however it arrives.
 */
public final class HostSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostSession.class);
  /** How long a typing indicator lasts unless repeated (clients re-send every few seconds). */
  static final long TYPING_TTL_MS = 6000;
  static final long TYPING_SEND_EVERY_MS = 3000;
  /** Resync gives up paging after this many pages and reloads the newest page instead. */
  static final int MAX_RESYNC_PAGES = 20;
  /** Pause of the outbox after the host said rate_limited. */
  static final long RATE_LIMIT_PAUSE_MS = 1000;

  /** Where this host stands from the user's point of view. */
  public enum Phase { CONNECTING, OFFLINE, LOADING, READY, FAILED }

  /** Who is typing where: channel id → display names. */
  public record TypingUser(String userId, String displayName, long expiresAtMillis) {}

  private final class OutboxItem {
    final String nonce;
    final String channelId;
    final String content;
    final Long replyTo;
    boolean inFlight;

    OutboxItem(String nonce, String channelId, String content, Long replyTo) {
      this.nonce = nonce;
      this.channelId = channelId;
      this.content = content;
      this.replyTo = replyTo;
    }
  }

  private final ParchClient client;
  private final RelayConnection relay;
  private final SignalCodec codec;
  private final String hostKey;
  private final Value<String> name;
  private final Value<Boolean> online = new Value<>(false);
  private final Value<Phase> phase = new Value<>(Phase.CONNECTING);
  private final Value<String> problem = new Value<>(null);
  private final Value<UserRef> me = new Value<>(null);
  private final Value<List<SpaceState>> spaces = new Value<>(List.of());
  private final Value<List<Invite>> invites = new Value<>(List.of());
  private final Value<Map<String, UnreadCount>> unread = new Value<>(Map.of());
  private final Value<Map<String, List<TypingUser>>> typing = new Value<>(Map.of());
  private final Map<String, ChannelLog> logs = new ConcurrentHashMap<>();
  /**
   * Per loaded channel, the newest message id held when the link to the host was lost: the resync
   * pages forward from here. Not the log's newest id at resync time, because live events delivered
   * after the reconnect but before the resync's reply would hide the gap in between.
   */
  private final Map<String, Long> resyncFrom = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Integer>> olderInFlight = new ConcurrentHashMap<>();
  private final LinkedHashMap<String, OutboxItem> outbox = new LinkedHashMap<>();
  private final Map<String, Long> lastTypingSent = new ConcurrentHashMap<>();
  private final Map<String, Long> lastMarked = new ConcurrentHashMap<>();
  private final List<Subscription> subs = new ArrayList<>();
  private volatile String activeChannel;
  private volatile boolean closed;
  private int syncGeneration;
  private ScheduledFuture<?> housekeeping;
  private long lastResend = System.nanoTime();
  private int inFlight;
  private long pausedUntil;

  HostSession(ParchClient client, RelayConnection relay, String hostKey, String name) {
    this.client = client;
    this.relay = relay;
    this.codec = client.codec();
    this.hostKey = hostKey;
    this.name = new Value<>(name == null || name.isEmpty() ? hostKey : name);
  }

  // ---- observable state ----

  public String hostKey() {
    return hostKey;
  }

  public Value<String> name() {
    return name;
  }

  /** Whether the relay says the host is connected. */
  public Value<Boolean> online() {
    return online;
  }

  public Value<Phase> phase() {
    return phase;
  }

  /** The last error worth showing about this host (bootstrap failed, host offline…), or null. */
  public Value<String> problem() {
    return problem;
  }

  /** The user as this host knows them (after bootstrap). */
  public Value<UserRef> me() {
    return me;
  }

  public Value<List<SpaceState>> spaces() {
    return spaces;
  }

  public Value<List<Invite>> invites() {
    return invites;
  }

  public Value<Map<String, UnreadCount>> unread() {
    return unread;
  }

  public Value<Map<String, List<TypingUser>>> typing() {
    return typing;
  }

  public Optional<SpaceState> space(String spaceId) {
    return spaces.get().stream().filter(s -> s.id().equals(spaceId)).findFirst();
  }

  /** The space a channel belongs to, if it is loaded. */
  public Optional<SpaceState> spaceOfChannel(String channelId) {
    for (SpaceState s : spaces.get()) {
      if (s.channel(channelId).isPresent()) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The message log of a channel (created empty; call {@link #openChannel} to fill it). */
  public ChannelLog log(String channelId) {
    return logs.computeIfAbsent(channelId, ChannelLog::new);
  }

  /** Number of sends not yet acknowledged by the host. */
  public synchronized int pendingSends() {
    return outbox.size();
  }

  // ---- lifecycle ----

  void start() {
    subs.add(relay.status().listen(st -> {
      if (st.state() != RelayConnection.State.ONLINE && !closed) {
        freezeResyncPoints();
        phase.set(Phase.CONNECTING);
      }
    }));
    long every = client.config().resendInterval().toMillis();
    housekeeping = client.timer().scheduleWithFixedDelay(this::housekeeping,
        Math.min(every, 1000), Math.min(every, 1000), TimeUnit.MILLISECONDS);
    relay.attach(hostKey);
  }

  private void housekeeping() {
    pruneTyping();
    long every = client.config().resendInterval().toNanos();
    if (System.nanoTime() - lastResend >= every) {
      lastResend = System.nanoTime();
      flushOutbox();
    }
  }

  void onFrame(RelayToClient frame) {
    if (closed) {
      return;
    }
    if (frame instanceof RelayToClient.HostStatus) {
      RelayToClient.HostStatus s = (RelayToClient.HostStatus) frame;
      name.set(s.name());
      client.rememberHostName(hostKey, s.name());
      online.set(s.online());
      if (s.online()) {
        synchronize();
      } else {
        freezeResyncPoints();
        phase.set(Phase.OFFLINE);
        problem.set(s.name() + " is offline");
      }
      return;
    }
    if (frame instanceof RelayToClient.Error) {
      RelayToClient.Error e = (RelayToClient.Error) frame;
      problem.set(e.code() == ErrorCode.NOT_FOUND ? "No host with this Host Key is registered at the relay"
          : e.message());
      phase.set(Phase.FAILED);
      return;
    }
    com.fasterxml.jackson.databind.JsonNode body;
    if (frame instanceof RelayToClient.Event) {
      body = ((RelayToClient.Event) frame).body();
    } else if (frame instanceof RelayToClient.Notification) {
      body = ((RelayToClient.Notification) frame).body();
    } else {
      return;
    }
    HostEvent event;
    try {
      event = codec.fromBody(body, HostEvent.class);
    } catch (ProtocolException e) {
      log.warn("ignoring an event from host {} that does not parse: {}", hostKey, e.getMessage());
      return;
    }
    apply(event);
  }

  /** Bootstrap, then catch up open channels, then re-send the outbox. */
  private void synchronize() {
    int gen;
    synchronized (this) {
      gen = ++syncGeneration;
    }
    phase.set(Phase.LOADING);
    call(new HostRequest.Bootstrap(), HostReply.BootstrapResult.class)
        .thenCompose(r -> {
          applyBootstrap(r.bootstrap());
          return resyncLogs();
        })
        .whenComplete((v, err) -> {
          synchronized (this) {
            if (gen != syncGeneration || closed) {
              return;
            }
          }
          if (err != null) {
            ClientException ce = ClientException.of(err);
            log.info("synchronizing with host {} failed: {}", hostKey, ce.getMessage());
            if (ce.code() == ErrorCode.HOST_OFFLINE) {
              phase.set(Phase.OFFLINE);
            } else if (relay.isOnline()) {
              phase.set(Phase.FAILED);
            }
            problem.set(ce.getMessage());
            return;
          }
          problem.set(null);
          phase.set(Phase.READY);
          flushOutbox();
        });
  }

  private void applyBootstrap(Bootstrap b) {
    me.set(b.me());
    Map<String, SpaceState> existing = new HashMap<>();
    for (SpaceState s : spaces.get()) {
      existing.put(s.id(), s);
    }
    List<SpaceState> next = new ArrayList<>();
    for (SpaceSnapshot snap : b.spaces()) {
      SpaceState s = existing.get(snap.space().id());
      if (s == null) {
        s = new SpaceState(snap);
      } else {
        s.apply(snap);
      }
      next.add(s);
    }
    spaces.set(List.copyOf(next));
    Map<String, UnreadCount> u = new HashMap<>();
    for (UnreadCount c : b.unread()) {
      u.put(c.channelId(), c);
    }
    unread.set(Map.copyOf(u));
    invites.set(b.invites());
  }

  private CompletableFuture<Void> resyncLogs() {
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (ChannelLog l : logs.values()) {
      if (l.loaded()) {
        all = all.thenCompose(v -> catchUp(l, 0));
      }
    }
    return all;
  }

  /**
   * Notes, for every loaded channel showing the newest messages, the newest id held now (the link is
   * gone: whatever arrives later may sit beyond a gap). An older point already noted is kept.
   */
  private void freezeResyncPoints() {
    for (ChannelLog l : logs.values()) {
      Long newest = l.newestId();
      if (l.loaded() && !l.hasNewer() && newest != null) {
        resyncFrom.putIfAbsent(l.channelId(), newest);
      }
    }
  }

  /** Pages forward from where the link was lost (or the newest known id) until the host has nothing newer. */
  private CompletableFuture<Void> catchUp(ChannelLog l, int pages) {
    Long frozen = resyncFrom.get(l.channelId());
    Long from = frozen != null ? frozen : l.newestId();
    return catchUp(l, from, pages).thenRun(() -> {
      if (frozen != null) {
        resyncFrom.remove(l.channelId(), frozen);
      }
    });
  }

  private CompletableFuture<Void> catchUp(ChannelLog l, Long after, int pages) {
    if (l.hasNewer()) {
      return CompletableFuture.completedFuture(null); // a window in the past: paging forward catches up
    }
    if (after == null) {
      return loadNewest(l.channelId());
    }
    if (pages >= MAX_RESYNC_PAGES) {
      return call(new HostRequest.MessageHistory(l.channelId(), null, null, page()),
          HostReply.MessagesResult.class)
          .thenAccept(r -> l.reset(r.messages(), r.hasMore()));
    }
    return call(new HostRequest.MessageHistory(l.channelId(), null, after, page()),
        HostReply.MessagesResult.class)
        .thenCompose(r -> {
          l.mergePage(r.messages(), null);
          long next = after;
          for (Message m : r.messages()) {
            next = Math.max(next, m.id());
          }
          return r.hasMore() && !r.messages().isEmpty()
              ? catchUp(l, next, pages + 1)
              : CompletableFuture.completedFuture(null);
        })
        .exceptionally(e -> {
          ClientException ce = ClientException.of(e);
          if (ce.code() == ErrorCode.NOT_FOUND || ce.code() == ErrorCode.FORBIDDEN) {
            return null; // the channel is gone or no longer ours; the bootstrap already says so
          }
          throw ce;
        });
  }

  private int page() {
    return client.config().historyPage();
  }

  // ---- channels and history ----

  /**
   * Makes {@code channelId} the one the user looks at: loads its newest page if needed, clears
   * its unread count and keeps it read while new messages arrive.
   */
  public CompletableFuture<ChannelLog> openChannel(String channelId) {
    activeChannel = channelId;
    ChannelLog l = log(channelId);
    CompletableFuture<Void> load = l.loaded() && !l.hasNewer()
        ? CompletableFuture.completedFuture(null)
        : loadNewest(channelId);
    return load.thenApply(v -> {
      markRead(channelId);
      return l;
    });
  }

  /** Forget which channel is active (the window lost it), so new messages count as unread. */
  public void setActiveChannel(String channelId) {
    activeChannel = channelId;
  }

  public String activeChannel() {
    return activeChannel;
  }

  private CompletableFuture<Void> loadNewest(String channelId) {
    ChannelLog l = log(channelId);
    return call(new HostRequest.MessageHistory(channelId, null, null, page()), HostReply.MessagesResult.class)
        .thenAccept(r -> {
          if (l.loaded() && !l.hasNewer()) {
            l.mergePage(r.messages(), null);
          } else {
            l.reset(r.messages(), r.hasMore());
          }
        });
  }

  /**
   * Loads the page before the oldest loaded message; completes with how many arrived (0 at the
   * start of the channel). Concurrent calls for one channel share one request.
   */
  public CompletableFuture<Integer> loadOlder(String channelId) {
    ChannelLog l = log(channelId);
    if (!l.hasOlder()) {
      return CompletableFuture.completedFuture(0);
    }
    CompletableFuture<Integer> inFlight = olderInFlight.computeIfAbsent(channelId, id -> {
      Long oldest = l.oldestId();
      return oldest == null
          ? loadNewest(channelId).thenApply(v -> l.size())
          : call(new HostRequest.MessageHistory(channelId, oldest, null, page()), HostReply.MessagesResult.class)
              .thenApply(r -> {
                l.mergePage(r.messages(), !r.hasMore());
                return r.messages().size();
              });
    });
    // attached once the future is in the map: a reply completing it while computeIfAbsent still
    // ran used to "remove" it before it was put, leaving a finished request that every later call
    // returned (paging stopped for good)
    inFlight.whenComplete((v, e) -> olderInFlight.remove(channelId, inFlight));
    return inFlight;
  }

  /**
   * Shows the channel around {@code messageId} (a search result): if the message is loaded the
   * log stays as it is, else the log becomes a window of one page around it (older half, the
   * message, newer half), from which {@link #loadOlder} and {@link #loadNewer} page on.
   * Fails with {@code not_found} when the message is gone.
   */
  public CompletableFuture<ChannelLog> openAt(String channelId, long messageId) {
    activeChannel = channelId;
    ChannelLog l = log(channelId);
    if (l.loaded() && l.byId(messageId) != null) {
      return CompletableFuture.completedFuture(l);
    }
    int newerHalf = Math.max(1, page() / 2);
    int olderHalf = Math.max(1, page() - newerHalf);
    CompletableFuture<HostReply.MessagesResult> older = call(
        new HostRequest.MessageHistory(channelId, messageId + 1, null, olderHalf), HostReply.MessagesResult.class);
    CompletableFuture<HostReply.MessagesResult> newer = call(
        new HostRequest.MessageHistory(channelId, null, messageId, newerHalf), HostReply.MessagesResult.class);
    return older.thenCombine(newer, (o, n) -> {
      if (o.messages().stream().noneMatch(m -> m.id() == messageId)) {
        throw new ClientException(ErrorCode.NOT_FOUND, "This message was deleted");
      }
      List<Message> window = new ArrayList<>(o.messages());
      window.addAll(n.messages());
      l.resetWindow(window, o.hasMore(), n.hasMore());
      if (!n.hasMore()) {
        markRead(channelId);
      }
      return l;
    });
  }

  /**
   * After a jump into the past: loads the page after the newest loaded message; completes with
   * how many arrived (0 once the window reaches the newest message).
   */
  public CompletableFuture<Integer> loadNewer(String channelId) {
    ChannelLog l = log(channelId);
    Long newest = l.newestId();
    if (!l.hasNewer() || newest == null) {
      return CompletableFuture.completedFuture(0);
    }
    return call(new HostRequest.MessageHistory(channelId, null, newest, page()), HostReply.MessagesResult.class)
        .thenApply(r -> {
          l.mergeNewer(r.messages(), r.hasMore());
          if (!l.hasNewer()) {
            markRead(channelId);
          }
          return r.messages().size();
        });
  }

  /** Marks the newest loaded message of the channel read (at most one request per new id). */
  public void markRead(String channelId) {
    Long newest = log(channelId).newestId();
    unread.update(m -> {
      UnreadCount c = m.get(channelId);
      if (c == null || (c.count() == 0 && c.mentions() == 0)) {
        return m;
      }
      Map<String, UnreadCount> next = new HashMap<>(m);
      next.put(channelId, new UnreadCount(channelId, 0, 0, newest != null ? newest : c.lastRead()));
      return Map.copyOf(next);
    });
    if (newest == null) {
      return;
    }
    Long before = lastMarked.put(channelId, newest);
    if (before != null && before >= newest) {
      return;
    }
    call(new HostRequest.ReadMark(channelId, newest), HostReply.Ok.class)
        .exceptionally(e -> {
          lastMarked.remove(channelId, newest);
          return null;
        });
  }

  // ---- sending ----

  /**
   * Queues a message; it appears at once as a pending line and is sent (and re-sent after link
   * failures, with the same nonce) until the host acknowledges it.
   *
   * @return the nonce of the pending line
   */
  public String send(String channelId, String content, Long replyTo) {
    String text = content == null ? "" : content.strip();
    if (text.isEmpty()) {
      throw new ClientException(ErrorCode.BAD_REQUEST, "Message is empty");
    }
    int max = codec.limits().maxContentChars();
    if (text.length() > max) {
      throw new ClientException(ErrorCode.TOO_LARGE, "Message is longer than " + max + " characters");
    }
    String nonce = UUID.randomUUID().toString();
    UserRef author = me.get() != null ? me.get() : Optional.ofNullable(client.account().get())
        .map(ParchClient.Account::user).orElseThrow(() -> new ClientException(ErrorCode.UNAUTHORIZED, "Not signed in"));
    Message draft = new Message(0, channelId, author, nonce, text, System.currentTimeMillis(), null, replyTo,
        List.of(), List.of());
    OutboxItem item = new OutboxItem(nonce, channelId, text, replyTo);
    synchronized (this) {
      outbox.put(nonce, item);
    }
    if (log(channelId).hasNewer()) {
      // sending from a window in the past: go back to the present, where the message will be
      loadNewest(channelId).exceptionally(e -> null);
    }
    log(channelId).addPending(new ChatLine(draft, ChatLine.Delivery.SENDING, null));
    flushOutbox();
    return nonce;
  }

  /** Tries a failed send again with the same nonce. */
  public void retry(String channelId, String nonce) {
    ChatLine failed = log(channelId).lines().stream()
        .filter(l -> l.pending() && nonce.equals(l.message().nonce())).findFirst().orElse(null);
    if (failed == null) {
      return;
    }
    Message m = failed.message();
    OutboxItem item = new OutboxItem(nonce, channelId, m.content(), m.replyTo());
    synchronized (this) {
      outbox.put(nonce, item);
    }
    log(channelId).setPending(nonce, new ChatLine(m, ChatLine.Delivery.SENDING, null));
    flushOutbox();
  }

  /** Drops a failed send from the view. */
  public void discard(String channelId, String nonce) {
    synchronized (this) {
      outbox.remove(nonce);
    }
    log(channelId).removePending(nonce);
  }

  /** Sends waiting outbox items, oldest first, up to {@code maxInFlightSends} at once. */
  private void flushOutbox() {
    List<OutboxItem> next = new ArrayList<>();
    synchronized (this) {
      if (phase.get() != Phase.READY || System.currentTimeMillis() < pausedUntil) {
        return;
      }
      for (OutboxItem i : outbox.values()) {
        if (inFlight >= client.config().maxInFlightSends()) {
          break;
        }
        if (!i.inFlight) {
          i.inFlight = true;
          inFlight++;
          next.add(i);
        }
      }
    }
    next.forEach(this::transmit);
  }

  private void transmit(OutboxItem item) {
    call(new HostRequest.MessageSend(item.channelId, item.nonce, item.content, item.replyTo),
        HostReply.MessageResult.class)
        .whenComplete((r, err) -> {
          ClientException ce = err == null ? null : ClientException.of(err);
          synchronized (this) {
            item.inFlight = false;
            inFlight--;
            if (err == null || !transient_(ce.code())) {
              outbox.remove(item.nonce);
            }
            if (ce != null && ce.code() == ErrorCode.RATE_LIMITED) {
              pausedUntil = System.currentTimeMillis() + RATE_LIMIT_PAUSE_MS;
              client.timer().schedule(this::flushOutbox, RATE_LIMIT_PAUSE_MS, TimeUnit.MILLISECONDS);
            }
          }
          if (err == null) {
            log(item.channelId).upsert(r.message());
          } else if (!transient_(ce.code())) {
            ChatLine current = log(item.channelId).lines().stream()
                .filter(l -> l.pending() && item.nonce.equals(l.message().nonce())).findFirst().orElse(null);
            if (current != null) {
              log(item.channelId).setPending(item.nonce,
                  new ChatLine(current.message(), ChatLine.Delivery.FAILED, ce.getMessage()));
            }
          }
          if (err == null || ce.code() != ErrorCode.RATE_LIMITED) {
            flushOutbox();
          }
        });
  }

  private static boolean transient_(ErrorCode code) {
    return code == ErrorCode.UNAVAILABLE || code == ErrorCode.HOST_OFFLINE
        || code == ErrorCode.RATE_LIMITED || code == ErrorCode.INTERNAL;
  }

  public CompletableFuture<Message> edit(long messageId, String content) {
    return call(new HostRequest.MessageEdit(messageId, content), HostReply.MessageResult.class)
        .thenApply(r -> {
          log(r.message().channelId()).upsert(r.message());
          return r.message();
        });
  }

  public CompletableFuture<Void> delete(String channelId, long messageId) {
    return call(new HostRequest.MessageDelete(messageId), HostReply.Ok.class)
        .thenAccept(r -> log(channelId).remove(messageId));
  }

  public CompletableFuture<Void> react(long messageId, String emoji, boolean add) {
    HostRequest req = add ? new HostRequest.ReactionAdd(messageId, emoji) : new HostRequest.ReactionRemove(messageId, emoji);
    return call(req, HostReply.Ok.class).thenAccept(r -> { });
  }

  /** Tells the channel we are typing, at most every few seconds. */
  public void typing(String channelId) {
    long now = System.currentTimeMillis();
    Long last = lastTypingSent.get(channelId);
    if (last != null && now - last < TYPING_SEND_EVERY_MS) {
      return;
    }
    lastTypingSent.put(channelId, now);
    call(new HostRequest.Typing(channelId), HostReply.Ok.class).exceptionally(e -> null);
  }

  public CompletableFuture<List<Message>> search(String spaceId, String query) {
    return search(spaceId, query, null).thenApply(HostReply.MessagesResult::messages);
  }

  /**
   * One page of full-text search results in a space, newest first; for the next page pass the
   * smallest id of this one as {@code before}. The query is plain words (all required; a trailing
   * {@code *} matches a prefix). A blank query fails with {@code bad_request} without asking the host.
   */
  public CompletableFuture<HostReply.MessagesResult> search(String spaceId, String query, Long before) {
    if (query == null || query.isBlank()) {
      return CompletableFuture.failedFuture(new ClientException(ErrorCode.BAD_REQUEST, "Type something to search for"));
    }
    return call(new HostRequest.MessageSearch(spaceId, query.strip(), before, codec.limits().maxSearchResults()),
        HostReply.MessagesResult.class);
  }

  // ---- spaces, channels, members, invites ----

  public CompletableFuture<SpaceState> createSpace(String spaceName) {
    return call(new HostRequest.SpaceCreate(spaceName), HostReply.SpaceSnapshotResult.class)
        .thenApply(r -> putSpace(r.snapshot()));
  }

  public CompletableFuture<Void> renameSpace(String spaceId, String newName) {
    return call(new HostRequest.SpaceRename(spaceId, newName), HostReply.Ok.class).thenAccept(r -> { });
  }

  public CompletableFuture<Void> deleteSpace(String spaceId) {
    return call(new HostRequest.SpaceDelete(spaceId), HostReply.Ok.class).thenAccept(r -> dropSpace(spaceId));
  }

  public CompletableFuture<Void> leaveSpace(String spaceId) {
    return call(new HostRequest.SpaceLeave(spaceId), HostReply.Ok.class).thenAccept(r -> dropSpace(spaceId));
  }

  public CompletableFuture<Channel> createChannel(String spaceId, String channelName, ChannelKind kind) {
    return call(new HostRequest.ChannelCreate(spaceId, channelName, kind), HostReply.ChannelResult.class)
        .thenApply(r -> {
          space(spaceId).ifPresent(s -> s.putChannel(r.channel()));
          return r.channel();
        });
  }

  public CompletableFuture<Void> renameChannel(String channelId, String newName) {
    return call(new HostRequest.ChannelRename(channelId, newName), HostReply.Ok.class).thenAccept(r -> { });
  }

  public CompletableFuture<Void> deleteChannel(String spaceId, String channelId) {
    return call(new HostRequest.ChannelDelete(channelId), HostReply.Ok.class)
        .thenAccept(r -> space(spaceId).ifPresent(s -> s.removeChannel(channelId)));
  }

  public CompletableFuture<List<Channel>> reorderChannels(String spaceId, List<String> channelIds) {
    return call(new HostRequest.ChannelReorder(spaceId, channelIds), HostReply.ChannelsResult.class)
        .thenApply(r -> {
          space(spaceId).ifPresent(s -> s.setChannels(r.channels()));
          return r.channels();
        });
  }

  public CompletableFuture<Void> setRole(String spaceId, String userId, Role role) {
    return call(new HostRequest.MemberRoleSet(spaceId, userId, role), HostReply.Ok.class).thenAccept(r -> { });
  }

  public CompletableFuture<Void> kick(String spaceId, String userId) {
    return call(new HostRequest.MemberKick(spaceId, userId), HostReply.Ok.class)
        .thenAccept(r -> space(spaceId).ifPresent(s -> s.removeMember(userId)));
  }

  public CompletableFuture<Void> ban(String spaceId, String userId, String reason) {
    return call(new HostRequest.MemberBan(spaceId, userId, reason), HostReply.Ok.class)
        .thenAccept(r -> space(spaceId).ifPresent(s -> s.removeMember(userId)));
  }

  public CompletableFuture<Invite> inviteUser(String spaceId, String username) {
    return call(new HostRequest.InviteUser(spaceId, username), HostReply.InviteResult.class)
        .thenApply(HostReply.InviteResult::invite);
  }

  public CompletableFuture<InviteCode> createInviteCode(String spaceId, Integer maxUses, Long expiresInSeconds) {
    return call(new HostRequest.InviteCodeCreate(spaceId, maxUses, expiresInSeconds), HostReply.InviteCodeResult.class)
        .thenApply(HostReply.InviteCodeResult::inviteCode);
  }

  public CompletableFuture<SpaceState> redeemCode(String code) {
    return call(new HostRequest.InviteCodeRedeem(code.strip()), HostReply.SpaceSnapshotResult.class)
        .thenApply(r -> putSpace(r.snapshot()));
  }

  public CompletableFuture<SpaceState> acceptInvite(String inviteId) {
    return call(new HostRequest.InviteAccept(inviteId), HostReply.SpaceSnapshotResult.class)
        .thenApply(r -> {
          dropInvite(inviteId);
          return putSpace(r.snapshot());
        });
  }

  public CompletableFuture<Void> declineInvite(String inviteId) {
    return call(new HostRequest.InviteDecline(inviteId), HostReply.Ok.class).thenAccept(r -> dropInvite(inviteId));
  }

  public CompletableFuture<List<Invite>> refreshInvites() {
    return call(new HostRequest.InviteList(), HostReply.InvitesResult.class).thenApply(r -> {
      invites.set(r.invites());
      return r.invites();
    });
  }

  /**
   * Sends any host-API request and completes with the expected reply type, or fails with a
   * {@link ClientException} carrying the host's (or relay's) error code.
   */
  public <R extends HostReply> CompletableFuture<R> call(HostRequest request, Class<R> type) {
    if (closed) {
      return CompletableFuture.failedFuture(new ClientException(ErrorCode.UNAVAILABLE, "Host removed"));
    }
    return relay.request(hostKey, codec.toBody(request)).thenApply(body -> {
      try {
        return HostReply.expect(codec.fromBody(body, HostReply.class), type);
      } catch (ProtocolException e) {
        throw new ClientException(e.code(), e.getMessage(), e);
      }
    });
  }

  private SpaceState putSpace(SpaceSnapshot snap) {
    SpaceState[] result = new SpaceState[1];
    spaces.update(list -> {
      for (SpaceState s : list) {
        if (s.id().equals(snap.space().id())) {
          s.apply(snap);
          result[0] = s;
          return list;
        }
      }
      List<SpaceState> next = new ArrayList<>(list);
      result[0] = new SpaceState(snap);
      next.add(result[0]);
      return List.copyOf(next);
    });
    return result[0];
  }

  private void dropSpace(String spaceId) {
    spaces.update(list -> {
      List<SpaceState> next = new ArrayList<>(list);
      next.removeIf(s -> s.id().equals(spaceId));
      return next.size() == list.size() ? list : List.copyOf(next);
    });
  }

  private void dropInvite(String inviteId) {
    invites.update(list -> {
      List<Invite> next = new ArrayList<>(list);
      next.removeIf(i -> i.id().equals(inviteId));
      return List.copyOf(next);
    });
  }

  // ---- events ----

  private void apply(HostEvent e) {
    if (e instanceof HostEvent.MessageCreated) {
      onMessageCreated(((HostEvent.MessageCreated) e).message());
    } else if (e instanceof HostEvent.MessageUpdated) {
      Message m = ((HostEvent.MessageUpdated) e).message();
      ChannelLog l = logs.get(m.channelId());
      if (l != null && l.byId(m.id()) != null) {
        l.upsert(keepMyReactions(l.byId(m.id()).message(), m));
      }
    } else if (e instanceof HostEvent.MessageDeleted) {
      HostEvent.MessageDeleted d = (HostEvent.MessageDeleted) e;
      ChannelLog l = logs.get(d.channelId());
      if (l != null) {
        l.remove(d.messageId());
      }
    } else if (e instanceof HostEvent.ReactionUpdated) {
      onReaction((HostEvent.ReactionUpdated) e);
    } else if (e instanceof HostEvent.ChannelCreated) {
      Channel c = ((HostEvent.ChannelCreated) e).channel();
      space(c.spaceId()).ifPresent(s -> s.putChannel(c));
    } else if (e instanceof HostEvent.ChannelUpdated) {
      Channel c = ((HostEvent.ChannelUpdated) e).channel();
      space(c.spaceId()).ifPresent(s -> s.putChannel(c));
    } else if (e instanceof HostEvent.ChannelDeleted) {
      HostEvent.ChannelDeleted d = (HostEvent.ChannelDeleted) e;
      space(d.spaceId()).ifPresent(s -> s.removeChannel(d.channelId()));
      logs.remove(d.channelId());
    } else if (e instanceof HostEvent.SpaceUpdated) {
      HostEvent.SpaceUpdated u = (HostEvent.SpaceUpdated) e;
      space(u.space().id()).ifPresent(s -> s.space().set(u.space()));
    } else if (e instanceof HostEvent.SpaceDeleted) {
      HostEvent.SpaceDeleted d = (HostEvent.SpaceDeleted) e;
      space(d.spaceId()).ifPresent(s -> client.notice(hostKey, "The space " + s.space().get().name() + " was deleted"));
      dropSpace(d.spaceId());
    } else if (e instanceof HostEvent.MemberJoined) {
      HostEvent.MemberJoined j = (HostEvent.MemberJoined) e;
      space(j.spaceId()).ifPresent(s -> s.putMember(j.member()));
    } else if (e instanceof HostEvent.MemberUpdated) {
      HostEvent.MemberUpdated u = (HostEvent.MemberUpdated) e;
      space(u.spaceId()).ifPresent(s -> s.putMember(u.member()));
    } else if (e instanceof HostEvent.MemberLeft) {
      HostEvent.MemberLeft l = (HostEvent.MemberLeft) e;
      if (me.get() != null && me.get().id().equals(l.userId())) {
        dropSpace(l.spaceId());
      } else {
        space(l.spaceId()).ifPresent(s -> s.removeMember(l.userId()));
      }
    } else if (e instanceof HostEvent.Presence) {
      HostEvent.Presence p = (HostEvent.Presence) e;
      for (SpaceState s : spaces.get()) {
        s.presence(p.userId(), p.online());
      }
    } else if (e instanceof HostEvent.Typing) {
      onTyping((HostEvent.Typing) e);
    } else if (e instanceof HostEvent.VoiceState) {
      HostEvent.VoiceState v = (HostEvent.VoiceState) e;
      spaceOfChannel(v.channelId()).ifPresent(s -> s.voiceState(new VoiceChannelState(v.channelId(), v.participants())));
    } else if (e instanceof HostEvent.InviteReceived) {
      Invite inv = ((HostEvent.InviteReceived) e).invite();
      invites.update(list -> {
        List<Invite> next = new ArrayList<>(list);
        next.removeIf(i -> i.id().equals(inv.id()));
        next.add(inv);
        return List.copyOf(next);
      });
      client.notice(hostKey, inv.inviter().displayName() + " invited you to " + inv.spaceName());
    } else if (e instanceof HostEvent.Mention) {
      HostEvent.Mention m = (HostEvent.Mention) e;
      client.notice(hostKey, m.message().author().displayName() + " mentioned you");
    } else if (e instanceof HostEvent.Kicked) {
      HostEvent.Kicked k = (HostEvent.Kicked) e;
      space(k.spaceId()).ifPresent(s -> client.notice(hostKey, "You were removed from " + s.space().get().name()
          + (k.reason() == null ? "" : ": " + k.reason())));
      dropSpace(k.spaceId());
    } else if (e instanceof HostEvent.Banned) {
      HostEvent.Banned b = (HostEvent.Banned) e;
      space(b.spaceId()).ifPresent(s -> client.notice(hostKey, "You were banned from " + s.space().get().name()
          + (b.reason() == null ? "" : ": " + b.reason())));
      dropSpace(b.spaceId());
    }
  }

  private void onMessageCreated(Message m) {
    ChannelLog l = logs.get(m.channelId());
    boolean alreadyHad = l != null && l.byId(m.id()) != null;
    if (l != null && l.loaded()) {
      l.upsert(m);
    }
    clearTyping(m.channelId(), m.author().id());
    UserRef self = me.get();
    boolean mine = self != null && self.id().equals(m.author().id());
    if (mine || alreadyHad) {
      return;
    }
    if (m.channelId().equals(activeChannel) && l != null && l.loaded()) {
      markRead(m.channelId());
      return;
    }
    boolean mentionsMe = self != null && m.mentions().contains(self.id());
    unread.update(map -> {
      Map<String, UnreadCount> next = new HashMap<>(map);
      UnreadCount c = next.get(m.channelId());
      int count = c == null ? 1 : c.count() + 1;
      int mentions = (c == null ? 0 : c.mentions()) + (mentionsMe ? 1 : 0);
      next.put(m.channelId(), new UnreadCount(m.channelId(), count, mentions, c == null ? null : c.lastRead()));
      return Map.copyOf(next);
    });
  }

  private Message keepMyReactions(Message old, Message fresh) {
    // fanned-out messages carry no per-viewer "me" flag: keep ours from the copy we had
    List<Reaction> merged = new ArrayList<>();
    for (Reaction r : fresh.reactions()) {
      Boolean me = r.me();
      if (me == null) {
        me = old.reactions().stream().filter(o -> o.emoji().equals(r.emoji()))
            .map(Reaction::me).filter(x -> x != null).findFirst().orElse(null);
      }
      merged.add(new Reaction(r.emoji(), r.count(), me));
    }
    return withReactions(fresh, merged);
  }

  private void onReaction(HostEvent.ReactionUpdated r) {
    ChannelLog l = logs.get(r.channelId());
    if (l == null) {
      return;
    }
    boolean byMe = me.get() != null && me.get().id().equals(r.userId());
    l.update(r.messageId(), m -> {
      List<Reaction> next = new ArrayList<>();
      boolean found = false;
      for (Reaction x : m.reactions()) {
        if (x.emoji().equals(r.emoji())) {
          found = true;
          if (r.count() > 0) {
            next.add(new Reaction(x.emoji(), r.count(), byMe ? Boolean.valueOf(r.added()) : x.me()));
          }
        } else {
          next.add(x);
        }
      }
      if (!found && r.count() > 0) {
        next.add(new Reaction(r.emoji(), r.count(), byMe ? Boolean.valueOf(r.added()) : Boolean.FALSE));
      }
      return withReactions(m, next);
    });
  }

  private static Message withReactions(Message m, List<Reaction> reactions) {
    return new Message(m.id(), m.channelId(), m.author(), m.nonce(), m.content(), m.createdAt(),
        m.editedAt(), m.replyTo(), reactions, m.mentions());
  }

  private void onTyping(HostEvent.Typing t) {
    if (me.get() != null && me.get().id().equals(t.userId())) {
      return;
    }
    String display = spaceOfChannel(t.channelId())
        .flatMap(s -> s.member(t.userId())).map(Member::displayName).orElse("Someone");
    long until = System.currentTimeMillis() + TYPING_TTL_MS;
    typing.update(map -> {
      Map<String, List<TypingUser>> next = new HashMap<>(map);
      List<TypingUser> list = new ArrayList<>(next.getOrDefault(t.channelId(), List.of()));
      list.removeIf(u -> u.userId().equals(t.userId()));
      list.add(new TypingUser(t.userId(), display, until));
      next.put(t.channelId(), List.copyOf(list));
      return Map.copyOf(next);
    });
  }

  private void clearTyping(String channelId, String userId) {
    typing.update(map -> {
      List<TypingUser> list = map.get(channelId);
      if (list == null || list.stream().noneMatch(u -> u.userId().equals(userId))) {
        return map;
      }
      Map<String, List<TypingUser>> next = new HashMap<>(map);
      List<TypingUser> rest = new ArrayList<>(list);
      rest.removeIf(u -> u.userId().equals(userId));
      if (rest.isEmpty()) {
        next.remove(channelId);
      } else {
        next.put(channelId, List.copyOf(rest));
      }
      return Map.copyOf(next);
    });
  }

  private void pruneTyping() {
    long now = System.currentTimeMillis();
    typing.update(map -> {
      boolean stale = map.values().stream().flatMap(List::stream).anyMatch(u -> u.expiresAtMillis() <= now);
      if (!stale) {
        return map;
      }
      Map<String, List<TypingUser>> next = new HashMap<>();
      map.forEach((ch, list) -> {
        List<TypingUser> keep = new ArrayList<>();
        for (TypingUser u : list) {
          if (u.expiresAtMillis() > now) {
            keep.add(u);
          }
        }
        if (!keep.isEmpty()) {
          next.put(ch, List.copyOf(keep));
        }
      });
      return Map.copyOf(next);
    });
  }

  @Override
  public void close() {
    closed = true;
    subs.forEach(Subscription::close);
    subs.clear();
    if (housekeeping != null) {
      housekeeping.cancel(false);
    }
    relay.detach(hostKey);
  }
}
