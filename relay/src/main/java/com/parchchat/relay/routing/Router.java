package com.parchchat.relay.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import com.parchchat.relay.config.LimitsConfig;
import com.parchchat.relay.metrics.RelayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layer-1 routing between client sessions and hosts: attachments, requests and their replies,
 * topic fan-out, notifications, kicks and voice grants. Thread-safe: handlers on any event loop
 * call it. Per-host state changes (attach, detach, subscribe, host on/offline) are serialised on
 * that host's {@link HostEntry}; fan-out reads the subscriber sets without locking.
 *
 * <p>Topics are scoped per host: {@code space:1} of one host is unrelated to {@code space:1} of
 * another. One event is encoded once and the same bytes are written to every subscriber.
 */
public final class Router {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** Per-host routing state, kept while the host is known to this relay process. */
  private static final class HostEntry {
    final String id;
    volatile String name;
    volatile HostLink link;
    final Set<ClientSession> attached = ConcurrentHashMap.newKeySet();
    final Map<String, Topic> topics = new ConcurrentHashMap<>();

    HostEntry(String id, String name) {
      this.id = id;
      this.name = name;
    }
  }

  /**
   * The subscribers of one topic of one host, and a snapshot of them grouped by event loop that
   * fan-out reuses until the membership changes. Membership changes happen under the host entry's
   * lock and drop the snapshot; a publish rebuilds it under the same lock.
   */
  private static final class Topic {
    final Set<ClientSession> members = ConcurrentHashMap.newKeySet();
    volatile LoopGroup[] snapshot;

    LoopGroup[] build() {
      Map<Outbox, List<Peer>> byLoop = new HashMap<>();
      for (ClientSession s : members) {
        byLoop.computeIfAbsent(s.outbox(), k -> new ArrayList<>()).add(s);
      }
      LoopGroup[] groups = new LoopGroup[byLoop.size()];
      int i = 0;
      for (Map.Entry<Outbox, List<Peer>> g : byLoop.entrySet()) {
        groups[i++] = new LoopGroup(g.getKey(), g.getValue().toArray(new Peer[0]));
      }
      return groups;
    }
  }

  /** The subscribers of a topic that live on one event loop. */
  private static final class LoopGroup {
    final Outbox outbox;
    final Peer[] peers;

    LoopGroup(Outbox outbox, Peer[] peers) {
      this.outbox = outbox;
      this.peers = peers;
    }
  }

  private final SignalCodec codec;
  private final RelayMetrics metrics;
  private final LimitsConfig limits;
  private final VoiceGrants voice;
  private final Executor blocking;
  private final Function<String, Optional<UserRef>> userLookup;
  private final Map<String, HostEntry> hosts = new ConcurrentHashMap<>();
  private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
  private final Map<String, Set<ClientSession>> byLogin = new ConcurrentHashMap<>();

  public Router(
      SignalCodec codec,
      RelayMetrics metrics,
      LimitsConfig limits,
      VoiceGrants voice,
      Executor blocking,
      Function<String, Optional<UserRef>> userLookup) {
    this.codec = codec;
    this.metrics = metrics;
    this.limits = limits;
    this.voice = voice;
    this.blocking = blocking;
    this.userLookup = userLookup;
  }

  // ---------------------------------------------------------------- client side

  public void clientOpened(ClientSession s) {
    sessions.put(s.id(), s);
    byUser.computeIfAbsent(s.user().id(), k -> ConcurrentHashMap.newKeySet()).add(s);
    byLogin.computeIfAbsent(s.loginSessionId(), k -> ConcurrentHashMap.newKeySet()).add(s);
    metrics.clientConnections().incrementAndGet();
  }

  public void clientClosed(ClientSession s) {
    if (sessions.remove(s.id()) == null) {
      return;
    }
    metrics.clientConnections().decrementAndGet();
    removeFrom(byUser, s.user().id(), s);
    removeFrom(byLogin, s.loginSessionId(), s);
    for (ClientSession.Pending p : s.pending.values()) {
      cancel(p);
    }
    s.pending.clear();
    for (String hostId : new ArrayList<>(s.attached)) {
      HostLink link = detachInternal(s, hostId);
      if (link != null) {
        send(link, new RelayToHost.SessionClosed(s.id()));
      }
    }
  }

  /** Attaches {@code s} to a registered host (the caller looked the host up). */
  public void attach(ClientSession s, String hostId, String hostName, String id) {
    HostEntry e = hosts.computeIfAbsent(hostId, k -> new HostEntry(hostId, hostName));
    HostLink link;
    synchronized (e) {
      if (!s.attached.contains(hostId) && s.attached.size() >= limits.maxAttachedHostsPerSession()) {
        error(s, id, ErrorCode.RATE_LIMITED, "attached to too many hosts (limit " + limits.maxAttachedHostsPerSession() + ")");
        return;
      }
      boolean added = s.attached.add(hostId);
      e.attached.add(s);
      link = e.link;
      if (added && link != null) {
        send(link, new RelayToHost.SessionOpen(s.id(), s.user()));
      }
    }
    send(s, new RelayToClient.HostStatus(hostId, e.name, link != null));
  }

  public void detach(ClientSession s, String hostId, String id) {
    if (!s.attached.contains(hostId)) {
      error(s, id, ErrorCode.BAD_REQUEST, "not attached to host " + hostId);
      return;
    }
    HostLink link = detachInternal(s, hostId);
    failPending(s, hostId, ErrorCode.UNAVAILABLE, "detached from the host before it answered");
    if (link != null) {
      send(link, new RelayToHost.SessionClosed(s.id()));
    }
  }

  public void request(ClientSession s, ClientToRelay.Request r) {
    if (!s.attached.contains(r.host())) {
      error(s, r.id(), ErrorCode.BAD_REQUEST, "attach to host " + r.host() + " before sending it requests");
      return;
    }
    HostEntry e = hosts.get(r.host());
    HostLink link = e == null ? null : e.link;
    if (link == null) {
      error(s, r.id(), ErrorCode.HOST_OFFLINE, "host " + r.host() + " is offline");
      return;
    }
    if (r.id().length() > codec.limits().maxIdChars()) {
      error(s, null, ErrorCode.TOO_LARGE, "id is longer than " + codec.limits().maxIdChars() + " characters");
      return;
    }
    if (s.pending.size() >= limits.maxPendingRequestsPerSession()) {
      error(s, r.id(), ErrorCode.RATE_LIMITED,
          "too many unanswered requests (limit " + limits.maxPendingRequestsPerSession() + ")");
      return;
    }
    ClientSession.Pending p = new ClientSession.Pending(r.host());
    if (s.pending.putIfAbsent(r.id(), p) != null) {
      error(s, r.id(), ErrorCode.CONFLICT, "a request with this id is still pending");
      return;
    }
    p.timeout =
        s.channel()
            .eventLoop()
            .schedule(
                () -> {
                  if (s.pending.remove(r.id(), p)) {
                    error(s, r.id(), ErrorCode.UNAVAILABLE,
                        "host " + r.host() + " did not answer within " + limits.requestTimeoutMillis() + " ms");
                  }
                },
                limits.requestTimeoutMillis(),
                TimeUnit.MILLISECONDS);
    send(link, new RelayToHost.Request(s.id(), s.user(), r.id(), r.body()));
  }

  /** Closes every live connection that authenticated with one of these login sessions. */
  public void loginSessionsRevoked(List<String> loginSessionIds) {
    for (String id : loginSessionIds) {
      Set<ClientSession> set = byLogin.get(id);
      if (set != null) {
        for (ClientSession s : set) {
          s.close(1008, "session revoked");
        }
      }
    }
  }

  // ---------------------------------------------------------------- host side

  public boolean isOnline(String hostId) {
    HostEntry e = hosts.get(hostId);
    return e != null && e.link != null;
  }

  /** A host authenticated: it replaces any earlier connection of the same host. */
  public void hostOnline(HostLink link) {
    HostEntry e = hosts.computeIfAbsent(link.hostId(), k -> new HostEntry(link.hostId(), link.name()));
    HostLink old;
    List<ClientSession> attached;
    synchronized (e) {
      old = e.link;
      e.link = link;
      e.name = link.name();
      clearTopics(e);
      send(link, new RelayToHost.HostReady(link.hostId()));
      attached = new ArrayList<>(e.attached);
      for (ClientSession s : attached) {
        send(link, new RelayToHost.SessionOpen(s.id(), s.user()));
      }
    }
    if (old != null) {
      log.info("host {} reconnected; closing its previous connection", link.hostId());
      old.close(1008, "replaced by a newer connection of the same host");
    } else {
      metrics.hostConnections().incrementAndGet();
    }
    log.info("host {} online with {} attached sessions", link.hostId(), attached.size());
    broadcastStatus(e, attached, true);
  }

  public void hostClosed(HostLink link) {
    HostEntry e = hosts.get(link.hostId());
    if (e == null) {
      return;
    }
    List<ClientSession> attached;
    synchronized (e) {
      if (e.link != link) {
        return;
      }
      e.link = null;
      clearTopics(e);
      attached = new ArrayList<>(e.attached);
    }
    metrics.hostConnections().decrementAndGet();
    log.info("host {} offline", link.hostId());
    for (ClientSession s : attached) {
      failPending(s, link.hostId(), ErrorCode.HOST_OFFLINE, "host " + link.hostId() + " went offline");
    }
    broadcastStatus(e, attached, false);
  }

  /** Dispatches one frame from an authenticated host. */
  public void fromHost(HostLink link, HostToRelay frame) {
    if (frame instanceof HostToRelay.Publish) {
      publish(link, (HostToRelay.Publish) frame);
    } else if (frame instanceof HostToRelay.Reply) {
      reply(link, (HostToRelay.Reply) frame);
    } else if (frame instanceof HostToRelay.Subscribe) {
      subscribe(link, (HostToRelay.Subscribe) frame);
    } else if (frame instanceof HostToRelay.Unsubscribe) {
      unsubscribe(link, (HostToRelay.Unsubscribe) frame);
    } else if (frame instanceof HostToRelay.Send) {
      sendTo(link, (HostToRelay.Send) frame);
    } else if (frame instanceof HostToRelay.Notify) {
      notifyUser(link, (HostToRelay.Notify) frame);
    } else if (frame instanceof HostToRelay.SessionKick) {
      kick(link, (HostToRelay.SessionKick) frame);
    } else if (frame instanceof HostToRelay.VoiceAuthorize) {
      voiceAuthorize(link, (HostToRelay.VoiceAuthorize) frame);
    } else if (frame instanceof HostToRelay.VoiceKick) {
      voiceKick(link, (HostToRelay.VoiceKick) frame);
    } else if (frame instanceof HostToRelay.UserLookup) {
      userLookup(link, (HostToRelay.UserLookup) frame);
    } else if (frame instanceof HostToRelay.HostAuth) {
      error(link, null, ErrorCode.BAD_REQUEST, "already authenticated");
    } else {
      error(link, null, ErrorCode.BAD_REQUEST, "unsupported frame " + frame.getClass().getSimpleName());
    }
  }

  /**
   * Fan-out: the event is encoded once, as complete WebSocket frame bytes, and handed to the
   * {@link Outbox} of each event loop that has subscribers, with the snapshot of that loop's
   * subscribers. The outbox writes events queued in a row for the same subscribers as one buffer
   * per connection and flushes each connection once, so under load one {@code write} syscall
   * carries several events; each delivery costs a share of a buffer duplicate.
   */
  private void publish(HostLink link, HostToRelay.Publish p) {
    HostEntry e = hosts.get(link.hostId());
    Topic t = e == null ? null : e.topics.get(p.topic());
    if (t == null) {
      return;
    }
    LoopGroup[] groups = t.snapshot;
    if (groups == null) {
      synchronized (e) {
        groups = t.snapshot;
        if (groups == null) {
          groups = t.build();
          t.snapshot = groups;
        }
      }
    }
    if (groups.length == 0) {
      return;
    }
    ByteBuf frame =
        WebSocketFrames.text(
            link.channel().alloc(), codec.encodeUtf8(new RelayToClient.Event(link.hostId(), p.topic(), p.body())));
    try {
      for (LoopGroup g : groups) {
        g.outbox.offerGroup(frame.retain(), g.peers);
      }
    } finally {
      frame.release();
    }
  }

  private void reply(HostLink link, HostToRelay.Reply r) {
    ClientSession s = sessions.get(r.session());
    ClientSession.Pending p = s == null ? null : s.pending.get(r.id());
    if (p == null || !p.hostId.equals(link.hostId()) || !s.pending.remove(r.id(), p)) {
      error(link, r.id(), ErrorCode.NOT_FOUND, "no pending request " + r.id() + " for session " + r.session());
      return;
    }
    cancel(p);
    send(s, new RelayToClient.Reply(link.hostId(), r.id(), r.body()));
  }

  private void subscribe(HostLink link, HostToRelay.Subscribe sub) {
    if (sub.topics().size() > codec.limits().maxTopicsPerSubscribe()) {
      error(link, null, ErrorCode.TOO_LARGE, "more than " + codec.limits().maxTopicsPerSubscribe() + " topics in one frame");
      return;
    }
    ClientSession s = attachedSession(link, sub.session());
    if (s == null) {
      return;
    }
    HostEntry e = hosts.get(link.hostId());
    synchronized (e) {
      if (e.link != link || !s.attached.contains(link.hostId())) {
        return;
      }
      Set<String> mine = s.topics.computeIfAbsent(link.hostId(), k -> ConcurrentHashMap.newKeySet());
      for (String topic : sub.topics()) {
        if (mine.size() >= limits.maxSubscriptionsPerSession() && !mine.contains(topic)) {
          error(link, null, ErrorCode.TOO_LARGE,
              "session " + s.id() + " has too many subscriptions (limit " + limits.maxSubscriptionsPerSession() + ")");
          return;
        }
        mine.add(topic);
        Topic t = e.topics.computeIfAbsent(topic, k -> new Topic());
        if (t.members.add(s)) {
          t.snapshot = null;
        }
      }
    }
  }

  private void unsubscribe(HostLink link, HostToRelay.Unsubscribe u) {
    ClientSession s = sessions.get(u.session());
    HostEntry e = hosts.get(link.hostId());
    if (s == null || e == null) {
      return;
    }
    synchronized (e) {
      Set<String> mine = s.topics.get(link.hostId());
      for (String topic : u.topics()) {
        if (mine != null) {
          mine.remove(topic);
        }
        removeSubscriber(e, topic, s);
      }
    }
  }

  private void sendTo(HostLink link, HostToRelay.Send m) {
    ClientSession s = attachedSession(link, m.session());
    if (s != null) {
      send(s, new RelayToClient.Notification(link.hostId(), m.body()));
    }
  }

  private void notifyUser(HostLink link, HostToRelay.Notify n) {
    Set<ClientSession> set = byUser.get(n.user());
    if (set == null || set.isEmpty()) {
      return;
    }
    ByteBuf encoded = Unpooled.wrappedBuffer(codec.encodeUtf8(new RelayToClient.Notification(link.hostId(), n.body())));
    try {
      for (ClientSession s : set) {
        s.sendRaw(encoded.retainedDuplicate());
      }
    } finally {
      encoded.release();
    }
  }

  private void kick(HostLink link, HostToRelay.SessionKick k) {
    ClientSession s = attachedSession(link, k.session());
    if (s == null) {
      return;
    }
    detachInternal(s, link.hostId());
    failPending(s, link.hostId(), ErrorCode.FORBIDDEN, "removed from host " + link.hostId());
    Set<String> rooms = s.voiceRooms.remove(link.hostId());
    if (rooms != null) {
      for (String room : rooms) {
        voice.kick(link.hostId(), room, s.user().id());
      }
    }
    log.info("host {} kicked session {} (user {})", link.hostId(), s.id(), s.user().id());
    error(s, null, ErrorCode.FORBIDDEN, "removed from host " + link.hostId() + ": " + clip(k.reason()));
  }

  private void voiceAuthorize(HostLink link, HostToRelay.VoiceAuthorize v) {
    ClientSession s = attachedSession(link, v.session());
    if (s == null) {
      return;
    }
    ClientSession.Pending p = s.pending.get(v.id());
    if (p == null || !p.hostId.equals(link.hostId()) || !s.pending.remove(v.id(), p)) {
      error(link, v.id(), ErrorCode.NOT_FOUND, "no pending request " + v.id() + " for session " + v.session());
      return;
    }
    cancel(p);
    if (v.room().isEmpty() || v.room().length() > codec.limits().maxIdChars() || v.room().indexOf(':') >= 0) {
      error(link, v.id(), ErrorCode.BAD_REQUEST, "room must be a non-empty channel id without ':'");
      error(s, v.id(), ErrorCode.INTERNAL, "the host sent an invalid voice authorization");
      return;
    }
    JsonNode grant = voice.grant(link.hostId(), v.room(), s.user(), v.canSpeak());
    s.voiceRooms.computeIfAbsent(link.hostId(), k -> ConcurrentHashMap.newKeySet()).add(v.room());
    send(s, new RelayToClient.Reply(link.hostId(), v.id(), grant));
  }

  /** The host removed a user from one of its voice rooms: the SFU drops them (admin call). */
  private void voiceKick(HostLink link, HostToRelay.VoiceKick k) {
    if (k.room().length() > codec.limits().maxIdChars() || k.room().indexOf(':') >= 0) {
      error(link, null, ErrorCode.BAD_REQUEST, "room must be a channel id without ':'");
      return;
    }
    voice.kick(link.hostId(), k.room(), k.user());
    log.info("host {} removed user {} from voice room {}", link.hostId(), k.user(), k.room());
  }

  private void userLookup(HostLink link, HostToRelay.UserLookup q) {
    if (q.username().length() > 64) {
      send(link, new RelayToHost.UserLookupResult(q.id(), null));
      return;
    }
    try {
      blocking.execute(
          () -> {
            Optional<UserRef> user;
            try {
              user = userLookup.apply(q.username());
            } catch (RuntimeException ex) {
              log.warn("user lookup for host {} failed: {}", link.hostId(), ex.getMessage());
              error(link, q.id(), ErrorCode.INTERNAL, "user lookup failed");
              return;
            }
            send(link, new RelayToHost.UserLookupResult(q.id(), user.orElse(null)));
          });
    } catch (RejectedExecutionException ex) {
      error(link, q.id(), ErrorCode.UNAVAILABLE, "relay is overloaded; retry");
    }
  }

  // ---------------------------------------------------------------- shared helpers

  /** Closes every connection (graceful shutdown). */
  public void closeAll(int code, String reason) {
    for (ClientSession s : sessions.values()) {
      s.close(code, reason);
    }
    for (HostEntry e : hosts.values()) {
      HostLink link = e.link;
      if (link != null) {
        link.close(code, reason);
      }
    }
  }

  public int clientCount() {
    return sessions.size();
  }

  private ClientSession attachedSession(HostLink link, String sessionId) {
    ClientSession s = sessions.get(sessionId);
    if (s == null || !s.attached.contains(link.hostId())) {
      error(link, null, ErrorCode.NOT_FOUND, "session " + clip(sessionId) + " is not attached to this host");
      return null;
    }
    return s;
  }

  /** Removes the attachment and its subscriptions; returns the host link if the host is online. */
  private HostLink detachInternal(ClientSession s, String hostId) {
    HostEntry e = hosts.get(hostId);
    if (e == null) {
      s.attached.remove(hostId);
      return null;
    }
    synchronized (e) {
      boolean was = s.attached.remove(hostId);
      e.attached.remove(s);
      Set<String> mine = s.topics.remove(hostId);
      if (mine != null) {
        for (String topic : mine) {
          removeSubscriber(e, topic, s);
        }
      }
      return was ? e.link : null;
    }
  }

  private void failPending(ClientSession s, String hostId, ErrorCode code, String message) {
    Map<String, ClientSession.Pending> failed = new HashMap<>();
    for (Map.Entry<String, ClientSession.Pending> p : s.pending.entrySet()) {
      if (p.getValue().hostId.equals(hostId) && s.pending.remove(p.getKey(), p.getValue())) {
        failed.put(p.getKey(), p.getValue());
      }
    }
    for (Map.Entry<String, ClientSession.Pending> p : failed.entrySet()) {
      cancel(p.getValue());
      error(s, p.getKey(), code, message);
    }
  }

  private void clearTopics(HostEntry e) {
    for (ClientSession s : e.attached) {
      s.topics.remove(e.id);
    }
    e.topics.clear();
  }

  private void broadcastStatus(HostEntry e, List<ClientSession> attached, boolean online) {
    if (attached.isEmpty()) {
      return;
    }
    ByteBuf encoded = Unpooled.wrappedBuffer(codec.encodeUtf8(new RelayToClient.HostStatus(e.id, e.name, online)));
    try {
      for (ClientSession s : attached) {
        s.sendRaw(encoded.retainedDuplicate());
      }
    } finally {
      encoded.release();
    }
  }

  private static void cancel(ClientSession.Pending p) {
    if (p.timeout != null) {
      p.timeout.cancel(false);
    }
  }

  /** Under the host entry's lock. */
  private static void removeSubscriber(HostEntry e, String topic, ClientSession s) {
    Topic t = e.topics.get(topic);
    if (t != null && t.members.remove(s)) {
      t.snapshot = null;
      if (t.members.isEmpty()) {
        e.topics.remove(topic, t);
      }
    }
  }

  private static <K> void removeFrom(Map<K, Set<ClientSession>> map, K key, ClientSession s) {
    map.computeIfPresent(
        key,
        (k, set) -> {
          set.remove(s);
          return set.isEmpty() ? null : set;
        });
  }

  void send(Peer peer, Object frame) {
    peer.sendRaw(codec.encodeUtf8(frame));
  }

  void error(ClientSession s, String id, ErrorCode code, String message) {
    metrics.rejectedFrame();
    send(s, new RelayToClient.Error(id, code, message));
  }

  void error(HostLink link, String id, ErrorCode code, String message) {
    metrics.rejectedFrame();
    send(link, new RelayToHost.Error(id, code, message));
  }

  private static String clip(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200);
  }
}
