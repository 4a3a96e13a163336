package com.parchchat.client.voice;

import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.Subscription;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.protocol.signal.SignalCodec;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Voice on one host, end to end: asks the host for {@code voice.join} (the relay answers with a
 * grant), joins the SFU with it, and keeps the host's published voice state (muted, deafened) in step
 * with the call. When the SFU refuses the grant's token (expired or invalid, e.g. after a long
 * network outage) the join flow runs again through the host for a fresh grant, once per refusal.
 * When the SFU connection drops or ICE fails (e.g. the SFU restarted) the call rejoins by itself with
 * backoff, and every rejoin takes a fresh grant through the host first; mute and deafen carry over,
 * and the listener sees {@code RECONNECTING} meanwhile.
 *
 * <p>At most one call per session: joining another channel leaves the current one first. The call is
 * left as soon as the channel's space disappears from the session (kicked, banned) or the channel is
 * deleted — this client-side leave is courtesy; the authority that removes a kicked member from the
 * SFU is the relay's admin call.
 */
public final class VoiceSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VoiceSession.class);

  private static final Set<SfuErrorReason> STALE_GRANT =
      Set.of(SfuErrorReason.TOKEN_EXPIRED, SfuErrorReason.TOKEN_INVALID);

  private final HostSession host;
  private final VoiceEngine engine;
  private final SfuLinkFactory links;
  private final AtomicReference<Active> active = new AtomicReference<>();
  /**
   * Bumped whenever a call replaces another (a new join, a rejoin with a fresh grant): events of a
   * replaced call (its late LEFT "closed", a state change queued before it ended) are stale and never
   * reach the listener, so they cannot overwrite what the current call reported.
   */
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.Map<String, Double> volumes = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile RemoteAudioTap tap;

  /** The call in progress and how it was started (for a rejoin with a fresh grant). */
  private record Active(String channelId, VoiceCall call, VoiceInput input, VoiceListener listener,
      boolean refreshed, List<Subscription> watches) {
    void unwatch() {
      watches.forEach(Subscription::close);
    }
  }

  public VoiceSession(HostSession host, VoiceEngine engine, SfuLinkFactory links) {
    this.host = host;
    this.engine = engine;
    this.links = links;
  }

  /** A session whose SFU links are real WebSockets. */
  public static VoiceSession overWebSocket(HostSession host, VoiceEngine engine, HttpClient http) {
    return new VoiceSession(host, engine,
        SfuLinkFactory.webSocket(http, SignalCodec.withDefaults(), Duration.ofSeconds(10)));
  }

  public HostSession host() {
    return host;
  }

  /**
   * Joins {@code channelId}: the host checks membership, channel kind and capacity, the relay mints
   * the grant, then the call connects to the SFU. Fails with the host's typed error
   * ({@code forbidden}, {@code conflict} when full, {@code not_found}) before any media starts.
   */
  public CompletableFuture<VoiceCall> join(String channelId, VoiceInput input, VoiceListener listener) {
    leave();
    return grant(channelId).thenApply(g -> start(channelId, g, input, listener, false));
  }

  private CompletableFuture<VoiceGrant> grant(String channelId) {
    return host.call(new HostRequest.VoiceJoin(channelId), HostReply.VoiceGrant.class)
        .thenApply(VoiceGrant::fromHostReply);
  }

  private VoiceCall start(String channelId, VoiceGrant grant, VoiceInput input, VoiceListener listener,
      boolean refreshed) {
    AtomicBoolean refreshing = new AtomicBoolean();
    long gen = generation.incrementAndGet();
    VoiceListener watching = new VoiceListener() {
      private boolean stale() {
        return generation.get() != gen;
      }

      @Override
      public void onStateChanged(VoiceCall.State state, String detail) {
        if (stale()) {
          log.debug("voice: ignoring {} from a replaced call", state);
          return;
        }
        if (state == VoiceCall.State.CONNECTED) {
          // a fresh grant worked: a later refusal (e.g. a long outage) may ask for another one
          Active a = active.get();
          if (a != null && a.channelId().equals(channelId) && a.refreshed()) {
            active.compareAndSet(a, new Active(a.channelId(), a.call(), a.input(), a.listener(), false, a.watches()));
          }
        }
        if (state == VoiceCall.State.FAILED && refreshing.get()) {
          // this call ends, but a new one with a fresh grant follows: to the user it is a reconnect
          listener.onStateChanged(VoiceCall.State.RECONNECTING, "renewing voice credentials");
          return;
        }
        listener.onStateChanged(state, detail);
      }

      @Override
      public void onMembersChanged(List<VoiceMember> members) {
        if (stale()) {
          return;
        }
        listener.onMembersChanged(members);
      }

      @Override
      public void onSpeakingChanged(Set<String> userIds) {
        if (stale()) {
          return;
        }
        listener.onSpeakingChanged(userIds);
      }

      @Override
      public void onQuality(CallQuality quality) {
        if (stale()) {
          return;
        }
        listener.onQuality(quality);
      }

      @Override
      public void onError(SfuToClient.Error error) {
        if (stale()) {
          return;
        }
        listener.onError(error);
        if (STALE_GRANT.contains(error.reason()) && refresh(channelId)) {
          refreshing.set(true);
        }
      }
    };
    VoiceCall call = engine.join(grant, () -> grant(channelId), links, input, watching);
    volumes.forEach(call::setUserVolume);
    call.setRemoteAudioTap(tap);
    List<Subscription> watches = new ArrayList<>();
    Active a = new Active(channelId, call, input, listener, refreshed, watches);
    Runnable check = () -> {
      if (host.spaceOfChannel(channelId).isEmpty()) {
        gone(a);
      }
    };
    watches.add(host.spaces().listen(list -> check.run()));
    host.spaceOfChannel(channelId).ifPresent(space -> watches.add(space.channels().listen(list -> check.run())));
    Active previous = active.getAndSet(a);
    if (previous != null) {
      previous.unwatch();
    }
    return call;
  }

  /** The SFU refused our token: ask the host again (once in a row), and rejoin with the new grant. */
  private boolean refresh(String channelId) {
    Active a = active.get();
    if (a == null || !a.channelId().equals(channelId) || a.refreshed()) {
      return false;
    }
    log.info("voice: the SFU refused the grant; asking the host for a fresh one");
    grant(channelId).whenComplete((g, err) -> {
      if (err != null) {
        log.warn("voice: no fresh grant: {}", err.getMessage());
        if (active.compareAndSet(a, null)) {
          a.unwatch();
          a.listener().onStateChanged(VoiceCall.State.FAILED, "no fresh voice grant: " + err.getMessage());
        }
        return;
      }
      if (active.get() == a) {
        a.unwatch();
        generation.incrementAndGet(); // the old call's closing events are not the user's news
        a.call().close();
        start(channelId, g, a.input(), a.listener(), true);
      }
    });
    return true;
  }

  /** We were kicked or banned from the space, or the channel was deleted: the call ends here. */
  private void gone(Active a) {
    Active current = active.get();
    if (current != null && current.call() == a.call() && active.compareAndSet(current, null)) {
      log.info("voice: channel {} is gone for us (kicked, banned or deleted); leaving", a.channelId());
      a.unwatch();
      a.call().leave();
    }
  }

  /** The call in progress, if any. */
  public VoiceCall call() {
    Active a = active.get();
    return a == null ? null : a.call();
  }

  /** The voice channel we are in, or null. */
  public String channelId() {
    Active a = active.get();
    return a == null ? null : a.channelId();
  }

  /**
   * Playback volume of one member, 0..2, for the current call and every later one of this session
   * (the UI persists it per user id and sets it again at start).
   */
  public void setUserVolume(String userId, double volume) {
    if (!(volume >= 0 && volume <= 2)) {
      throw new IllegalArgumentException("volume must be in [0, 2]: " + volume);
    }
    volumes.put(userId, volume);
    VoiceCall c = call();
    if (c != null) {
      c.setUserVolume(userId, volume);
    }
  }

  /** The volume set for {@code userId} (1 when never set). */
  public double userVolume(String userId) {
    return volumes.getOrDefault(userId, 1.0);
  }

  /** Taps the remote audio of the current and every later call (after per-user volume); null removes it. */
  public void setRemoteAudioTap(RemoteAudioTap tap) {
    this.tap = tap;
    VoiceCall c = call();
    if (c != null) {
      c.setRemoteAudioTap(tap);
    }
  }

  /** Mutes locally and at the SFU, and tells the host so the space sees it. */
  public void setMuted(boolean muted) {
    VoiceCall c = call();
    if (c != null) {
      c.setMuted(muted);
      publishState(c);
    }
  }

  /** Deafens (which also mutes) and tells the host. */
  public void setDeafened(boolean deafened) {
    VoiceCall c = call();
    if (c != null) {
      c.setDeafened(deafened);
      publishState(c);
    }
  }

  private void publishState(VoiceCall c) {
    host.call(new HostRequest.VoiceStateSet(c.isMuted() || c.isDeafened(), c.isDeafened()), HostReply.Ok.class)
        .whenComplete((ok, err) -> {
          if (err != null) {
            log.warn("voice: the host did not take our voice state: {}", err.getMessage());
          }
        });
  }

  /** Leaves the call (SFU and host); no-op when not in one. */
  public void leave() {
    Active a = active.getAndSet(null);
    if (a == null) {
      return;
    }
    a.unwatch();
    a.call().leave();
    host.call(new HostRequest.VoiceLeave(), HostReply.Ok.class).whenComplete((ok, err) -> {
      if (err != null) {
        log.debug("voice: leave not acknowledged: {}", err.getMessage());
      }
    });
  }

  @Override
  public void close() {
    leave();
  }
}
