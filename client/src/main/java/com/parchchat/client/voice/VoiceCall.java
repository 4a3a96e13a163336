package com.parchchat.client.voice;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.sfu.SfuParticipant;
import com.parchchat.protocol.sfu.SfuToClient;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.AudioTrackSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One voice-channel membership: the SFU signalling link and the libwebrtc peer connection behind it.
 *
 * <p>Flow (docs/protocol.md, "SFU signalling"): add the microphone with {@code addTrack}, send
 * {@code join {token}}, answer every SFU {@code offer} with an {@code answer} of the same revision
 * (section mid 0 carries our voice, each further section one other member, identified by the msid
 * stream id the SFU lists per participant). Mute, deafen and push-to-talk combine into one effective
 * mute that disables the local track, makes our send stream inactive (libwebrtc then stops the audio
 * module's capture and the encoder; see {@code Session.setSending}) and tells the SFU ({@code mute}). ICE failure or a lost signalling link triggers automatic rejoins with exponential
 * backoff and jitter; {@code left} (kicked, replaced, channel gone) ends the call for good.
 *
 * <p>All signalling and state changes run on the call's own thread; public methods may be called
 * from any thread and never block on the network. Synthetic (tone) input is a {@link ToneMicrophone}
 * on the device module's capture path, like a sound card: one native thread feeds the send stream.
 */
public final class VoiceCall implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VoiceCall.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private static final Set<SfuErrorReason> JOIN_REFUSALS = Set.of(SfuErrorReason.TOKEN_INVALID,
      SfuErrorReason.TOKEN_EXPIRED, SfuErrorReason.TOKEN_WRONG_ROOM, SfuErrorReason.ROOM_FULL);

  /** Lifecycle of a call. */
  public enum State { CONNECTING, CONNECTED, RECONNECTING, LEFT, FAILED }

  /** Upper bound of the rejoin backoff (an SFU restart should not leave us waiting a minute). */
  static final long MAX_REJOIN_DELAY_MS = 4_000;

  private final VoiceEngine engine;
  private volatile VoiceGrant grant;
  private final java.util.function.Supplier<CompletableFuture<VoiceGrant>> freshGrants;
  private boolean needFreshGrant;
  private final SfuLinkFactory links;
  private final VoiceInput input;
  private final VoiceListener listener;
  private final ScheduledExecutorService exec;
  private final int id = IDS.incrementAndGet();

  // call-thread state (session is read by libwebrtc callbacks too)
  private volatile Session session;
  private volatile Thread callThread;
  // written on the call thread only, read from any thread (state(), the UI): volatile so a reader
  // never keeps seeing an old value after the call thread moved on
  private volatile State state = State.CONNECTING;
  private volatile String stateDetail = "";
  private int rejoinAttempts;
  private ScheduledFuture<?> statsTask;
  private String selfUserId;
  private final Map<String, SfuParticipant> members = new LinkedHashMap<>();
  private Set<String> sfuSpeakers = Set.of();
  private Set<String> lastSpeaking = Set.of();
  private long lastReceived;
  private long lastLost;

  // settable from any thread
  private volatile boolean muted;
  private volatile boolean deafened;
  private volatile boolean pushToTalk;
  private volatile boolean pttPressed;
  private volatile boolean sentMute;
  /** True while the engine switches the microphone: our send stream is held inactive. */
  private volatile boolean sendingHeld;
  private volatile double localLevel;
  /** Our sent audio's level over the last stats interval (libwebrtc's media-source stats); call thread. */
  private double sentLevel;
  private double lastSourceEnergy;
  private double lastSourceDuration;
  private volatile RemoteAudioTap tap;
  private volatile CallQuality quality = new CallQuality(-1, 0, 0, 0, null);
  private final Map<String, Double> volumes = new ConcurrentHashMap<>();

  VoiceCall(VoiceEngine engine, VoiceGrant grant, java.util.function.Supplier<CompletableFuture<VoiceGrant>> freshGrants,
      SfuLinkFactory links, VoiceInput input, VoiceListener listener) {
    this.engine = engine;
    this.grant = grant;
    this.freshGrants = freshGrants;
    this.links = links;
    this.input = input;
    this.listener = listener == null ? new VoiceListener() { } : listener;
    this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = daemon(r, "voice-call-" + id);
      callThread = t;
      return t;
    });
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  void start() {
    exec.execute(this::openSession);
    statsTask = exec.scheduleWithFixedDelay(this::sample, engine.config().statsInterval().toMillis(),
        engine.config().statsInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  // ---- public API ---------------------------------------------------------------------------

  public State state() {
    return state;
  }

  public String stateDetail() {
    return stateDetail;
  }

  /** Mutes or unmutes the microphone (the SFU stops forwarding a muted member). */
  public void setMuted(boolean muted) {
    this.muted = muted;
    post(this::applyMute);
  }

  public boolean isMuted() {
    return muted;
  }

  /** Deafen: silence every remote member locally; also mutes, as users expect. */
  public void setDeafened(boolean deafened) {
    this.deafened = deafened;
    post(() -> {
      applyMute();
      applyRemoteEnabled();
    });
  }

  public boolean isDeafened() {
    return deafened;
  }

  /** Push-to-talk mode: while on, the microphone only sends while {@link #setPushToTalkPressed} is true. */
  public void setPushToTalk(boolean enabled) {
    this.pushToTalk = enabled;
    post(this::applyMute);
  }

  /** The push-to-talk key went down (true) or up (false). */
  public void setPushToTalkPressed(boolean pressed) {
    this.pttPressed = pressed;
    post(this::applyMute);
  }

  /** Whether our voice is being sent right now (not muted, deafened, or waiting for push-to-talk). */
  public boolean isTransmitting() {
    return !effectiveMute();
  }

  /**
   * Local playback volume of one member, 0..2 (0 %–200 %). It applies in the engine's
   * {@link PlayoutMixer} (what the speaker plays) and to the audio handed to the remote-audio tap;
   * 0 also disables the member's track in libwebrtc.
   */
  public void setUserVolume(String userId, double volume) {
    if (!(volume >= 0 && volume <= 2)) {
      throw new IllegalArgumentException("volume must be in [0, 2]: " + volume);
    }
    volumes.put(userId, volume);
    engine.setVolume(userId, volume);
    post(() -> {
      applyRemoteEnabled();
      fireMembers();
    });
  }

  /**
   * Holds our send stream inactive (true) or lets it follow mute again (false); returns once applied on
   * the call thread. While no stream of the engine sends, libwebrtc has stopped the audio module's
   * capture (on its worker thread), so the engine can switch the microphone without calling the
   * module's start/stopRecording itself.
   */
  void holdSending(boolean hold) {
    sendingHeld = hold;
    callOnThread(() -> {
      applyMute();
      return null;
    });
  }

  /** The engine started or stopped its playout mixer: route the remote tracks again. */
  void volumeRouteChanged() {
    post(this::applyRemoteEnabled);
  }

  /** The volume chosen for {@code userId} (1 when never set). */
  public double userVolume(String userId) {
    return volumes.getOrDefault(userId, 1.0);
  }

  /**
   * Taps every remote member's decoded audio, after that member's volume (e.g. for level meters or
   * tests); null removes it.
   */
  public void setRemoteAudioTap(RemoteAudioTap tap) {
    this.tap = tap;
    post(this::updateSinks);
  }

  /**
   * Local input level, 0..1 of full scale: our microphone as sent (after the audio processing), from
   * libwebrtc's media-source stats, so it changes once per stats interval; 0 while muted.
   */
  public double localLevel() {
    return localLevel;
  }

  /** The latest quality sample. */
  public CallQuality quality() {
    return quality;
  }

  /**
   * libwebrtc's raw statistics of the current connection, keyed by stats id (for diagnostics and the
   * voice bench: per-stream packets sent, received, lost, concealed); empty when no connection is up.
   * Asks libwebrtc directly (its signalling thread answers), so it does not wait for the call thread.
   */
  public CompletableFuture<Map<String, RTCStats>> rawStats() {
    Session s = session;
    if (s == null || s.closed) {
      return CompletableFuture.completedFuture(Map.of());
    }
    CompletableFuture<Map<String, RTCStats>> f = new CompletableFuture<>();
    try {
      s.pc.getStats(report -> f.complete(Map.copyOf(report.getStats())));
    } catch (RuntimeException | Error e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  /** Our own user id, once joined. */
  public String selfUserId() {
    return selfUserId;
  }

  /** The other members, as of the last event (snapshot taken on the call thread). */
  public List<VoiceMember> members() {
    return callOnThread(this::memberList);
  }

  /** Leaves the room politely ({@code leave}), then releases everything. */
  public void leave() {
    post(() -> finish(State.LEFT, "leave"));
  }

  /** Runs {@code r} on the call thread; after the call ended there is nothing left to change. */
  private void post(Runnable r) {
    try {
      exec.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("voice call {} has ended; ignoring a change", id);
    }
  }

  /** Releases everything without telling the SFU; idempotent. */
  @Override
  public void close() {
    if (exec.isShutdown()) {
      return;
    }
    if (Thread.currentThread() == callThread) {
      // called from a listener: finish here, the executor winds itself down
      finish(state == State.LEFT || state == State.FAILED ? state : State.LEFT, "closed");
      return;
    }
    try {
      exec.submit(() -> finish(state == State.LEFT || state == State.FAILED ? state : State.LEFT, "closed"))
          .get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
      log.warn("voice call {}: close did not finish cleanly: {}", id, e.toString());
    }
    exec.shutdownNow();
  }

  // ---- call thread --------------------------------------------------------------------------

  private void openSession() {
    if (state == State.LEFT || state == State.FAILED) {
      return;
    }
    if (needFreshGrant) {
      // the token is short-lived: each rejoin asks the host (→ relay) for a new grant first
      CompletableFuture<VoiceGrant> f;
      try {
        f = freshGrants.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.orTimeout(engine.config().negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((g, err) -> post(() -> {
            if (state == State.LEFT || state == State.FAILED || session != null) {
              return;
            }
            if (err != null) {
              Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                  ? err.getCause() : err;
              scheduleRejoin("no fresh voice grant: " + cause.getMessage());
              return;
            }
            grant = g;
            needFreshGrant = false;
            openSession();
          }));
      return;
    }
    Session s;
    try {
      s = new Session();
    } catch (RuntimeException e) {
      log.warn("voice call {}: cannot start a session: {}", id, e.getMessage());
      scheduleRejoin("cannot start: " + e.getMessage());
      return;
    }
    session = s;
    try {
      s.link.start(frame -> post(() -> onFrame(s, frame)), detail -> post(() -> onLinkClosed(s, detail)));
      s.link.send(new ClientToSfu.Join(grant.token(), grant.room(), null));
    } catch (RuntimeException e) {
      log.warn("voice call {}: join failed: {}", id, e.getMessage());
      scheduleRejoin("join failed: " + e.getMessage());
    }
  }

  private void onFrame(Session s, SfuToClient frame) {
    if (s != session) {
      return;
    }
    if (frame instanceof SfuToClient.Joined joined) {
      selfUserId = joined.self().userId();
      members.clear();
      for (SfuParticipant p : joined.participants()) {
        members.put(p.userId(), p);
      }
      sentMute = false;
      applyMute();
      fireMembers();
    } else if (frame instanceof SfuToClient.Offer offer) {
      answer(s, offer);
    } else if (frame instanceof SfuToClient.ParticipantJoined pj) {
      members.put(pj.participant().userId(), pj.participant());
      fireMembers();
    } else if (frame instanceof SfuToClient.ParticipantLeft pl) {
      members.remove(pl.userId());
      fireMembers();
    } else if (frame instanceof SfuToClient.MuteChanged mc) {
      SfuParticipant p = members.get(mc.userId());
      if (p != null) {
        members.put(p.userId(), new SfuParticipant(p.userId(), p.name(), p.canSpeak(), mc.muted(), p.streamId()));
        fireMembers();
      }
    } else if (frame instanceof SfuToClient.Speakers sp) {
      Set<String> now = new LinkedHashSet<>();
      for (SfuToClient.SpeakerLevel l : sp.levels()) {
        if (l.level() > 0) {
          now.add(l.userId());
        }
      }
      sfuSpeakers = now;
      fireSpeaking();
    } else if (frame instanceof SfuToClient.Left left) {
      finish(State.LEFT, left.reason());
    } else if (frame instanceof SfuToClient.Error err) {
      listener.onError(err);
      if (s.answeredRevision < 0 && JOIN_REFUSALS.contains(err.reason())) {
        // a refused join (bad or expired token, wrong room, full room): retrying the same grant cannot help
        finish(State.FAILED, err.reason().wire() + ": " + err.message());
      }
    } else if (frame instanceof SfuToClient.Answer) {
      log.warn("voice call {}: unexpected answer (we never offer)", id);
    }
  }

  private void answer(Session s, SfuToClient.Offer offer) {
    try {
      String sdp = s.acceptOffer(offer.sdp());
      s.answeredRevision = offer.revision();
      s.link.send(new ClientToSfu.Answer(sdp, offer.revision()));
      s.setSending(!effectiveMute() && !sendingHeld);
      applyRemoteEnabled();
    } catch (RuntimeException e) {
      log.warn("voice call {}: cannot answer offer {}: {}", id, offer.revision(), e.getMessage());
      scheduleRejoin("negotiation failed: " + e.getMessage());
    }
  }

  private void onLinkClosed(Session s, String detail) {
    if (s != session || state == State.LEFT || state == State.FAILED) {
      return;
    }
    scheduleRejoin(detail);
  }

  private void onConnectionState(Session s, RTCPeerConnectionState st) {
    if (s != session) {
      return;
    }
    if (st == RTCPeerConnectionState.CONNECTED) {
      rejoinAttempts = 0;
      setState(State.CONNECTED, "");
    } else if (st == RTCPeerConnectionState.FAILED) {
      scheduleRejoin("ICE failed");
    }
  }

  private void scheduleRejoin(String why) {
    if (state == State.LEFT || state == State.FAILED) {
      return;
    }
    teardownSession();
    int max = engine.config().maxRejoinAttempts();
    if (rejoinAttempts >= max) {
      finish(State.FAILED, why);
      return;
    }
    rejoinAttempts++;
    needFreshGrant = freshGrants != null;
    long base = Math.min(MAX_REJOIN_DELAY_MS,
        engine.config().rejoinBaseDelay().toMillis() << Math.min(rejoinAttempts - 1, 6));
    long delay = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    setState(State.RECONNECTING, why + "; rejoin " + rejoinAttempts + "/" + max + " in " + delay + " ms");
    exec.schedule(this::openSession, delay, TimeUnit.MILLISECONDS);
  }

  private void finish(State end, String detail) {
    if (state == State.LEFT || state == State.FAILED) {
      return;
    }
    teardownSession();
    if (statsTask != null) {
      statsTask.cancel(false);
    }
    engine.forget(this);
    setState(end, detail);
    exec.execute(exec::shutdown);
  }

  private void teardownSession() {
    Session s = session;
    session = null;
    if (s != null) {
      s.close();
    }
  }

  private void setState(State st, String detail) {
    if (st == state && detail.equals(stateDetail)) {
      return;
    }
    state = st;
    stateDetail = detail;
    log.info("voice call {}: {} {}", id, st, detail);
    safe(() -> listener.onStateChanged(st, detail));
  }

  private boolean effectiveMute() {
    return !grant.canSpeak() || muted || deafened || (pushToTalk && !pttPressed);
  }

  private void applyMute() {
    boolean m = effectiveMute();
    Session s = session;
    if (s == null) {
      return;
    }
    if (s.localTrack != null) {
      s.localTrack.setEnabled(!m);
      s.setSending(!m && !sendingHeld);
    }
    if (selfUserId != null && m != sentMute && grant.canSpeak()) {
      s.sendQuietly(new ClientToSfu.Mute(m));
      sentMute = m;
    }
    fireSpeaking();
  }

  private void applyRemoteEnabled() {
    Session s = session;
    if (s == null) {
      return;
    }
    for (RemoteVoice rv : s.remotes.values()) {
      String user = userForStream(rv.streamId);
      double vol = user == null ? 1 : volumes.getOrDefault(user, 1.0);
      // with the engine's mixer playing, libwebrtc's own mix must stay silent (gain 0 per track)
      rv.track.setEnabled(!deafened && vol > 0 && !engine.mixerPlays());
    }
    updateSinks();
  }

  private String userForStream(String streamId) {
    if (streamId == null) {
      return null;
    }
    for (SfuParticipant p : members.values()) {
      if (streamId.equals(p.streamId())) {
        return p.userId();
      }
    }
    return null;
  }

  private List<VoiceMember> memberList() {
    Set<String> withTrack = new LinkedHashSet<>();
    Session s = session;
    if (s != null) {
      for (RemoteVoice rv : s.remotes.values()) {
        withTrack.add(rv.streamId);
      }
    }
    List<VoiceMember> out = new ArrayList<>();
    for (SfuParticipant p : members.values()) {
      out.add(new VoiceMember(p.userId(), p.name(), p.canSpeak(), p.muted(), p.streamId(),
          p.streamId() != null && withTrack.contains(p.streamId()), volumes.getOrDefault(p.userId(), 1.0)));
    }
    return out;
  }

  private void fireMembers() {
    List<VoiceMember> list = memberList();
    safe(() -> listener.onMembersChanged(list));
  }

  private void fireSpeaking() {
    Session s = session;
    if (s != null) {
      localLevel = effectiveMute() ? 0 : sentLevel;
    }
    Set<String> now = new LinkedHashSet<>(sfuSpeakers);
    if (selfUserId != null) {
      now.remove(selfUserId);
      if (!effectiveMute() && localLevel >= Math.max(engine.config().vadThreshold(), 1e-4)) {
        now.add(selfUserId);
      }
    }
    if (!now.equals(lastSpeaking)) {
      lastSpeaking = Set.copyOf(now);
      Set<String> snapshot = lastSpeaking;
      safe(() -> listener.onSpeakingChanged(snapshot));
    }
  }

  private void sample() {
    Session s = session;
    if (s == null) {
      return;
    }
    updateSinks(); // the mixer may have started or stopped pulling
    CompletableFuture<RTCStatsReport> f = new CompletableFuture<>();
    try {
      s.pc.getStats(f::complete);
      quality = toQuality(f.get(2, TimeUnit.SECONDS));
      fireSpeaking(); // with the level the stats just gave
      CallQuality q = quality;
      safe(() -> listener.onQuality(q));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.debug("voice call {}: stats failed: {}", id, e.toString());
    }
  }

  private CallQuality toQuality(RTCStatsReport report) {
    Map<String, RTCStats> all = report.getStats();
    long received = 0;
    long lost = 0;
    double jitter = 0;
    String pairId = null;
    for (RTCStats st : all.values()) {
      Map<String, Object> a = st.getAttributes();
      if (st.getType() == RTCStatsType.INBOUND_RTP) {
        received += num(a.get("packetsReceived"));
        lost += num(a.get("packetsLost"));
        jitter = Math.max(jitter, dbl(a.get("jitter")));
      } else if (st.getType() == RTCStatsType.TRANSPORT && a.get("selectedCandidatePairId") != null) {
        pairId = a.get("selectedCandidatePairId").toString();
      } else if (st.getType() == RTCStatsType.MEDIA_SOURCE && "audio".equals(a.get("kind"))) {
        sentLevel = levelSince(dbl(a.get("totalAudioEnergy")), dbl(a.get("totalSamplesDuration")),
            dbl(a.get("audioLevel")));
      }
    }
    double rtt = -1;
    String localType = null;
    RTCStats pair = pairId == null ? null : all.get(pairId);
    if (pair != null) {
      Object r = pair.getAttributes().get("currentRoundTripTime");
      rtt = r instanceof Number ? ((Number) r).doubleValue() * 1000 : -1;
      Object lc = pair.getAttributes().get("localCandidateId");
      RTCStats local = lc == null ? null : all.get(lc.toString());
      if (local != null && local.getAttributes().get("candidateType") != null) {
        localType = local.getAttributes().get("candidateType").toString();
      }
    }
    long dRecv = Math.max(0, received - lastReceived);
    long dLost = Math.max(0, lost - lastLost);
    lastReceived = received;
    lastLost = lost;
    double loss = dRecv + dLost == 0 ? 0 : (double) dLost / (dRecv + dLost);
    return new CallQuality(rtt, loss, jitter * 1000, received, localType);
  }

  /**
   * Our microphone's level over the interval since the previous sample, 0..1: the root mean square of
   * libwebrtc's audio level (after the audio processing, as sent) from the media-source stats'
   * {@code totalAudioEnergy} / {@code totalSamplesDuration}; the instantaneous {@code audioLevel} when no
   * time passed or a new connection restarted the totals. Nothing captured (muted: the send stream is
   * inactive) gives 0.
   */
  private double levelSince(double energy, double duration, double instant) {
    double dE = energy - lastSourceEnergy;
    double dD = duration - lastSourceDuration;
    lastSourceEnergy = energy;
    lastSourceDuration = duration;
    if (dD < 0 || dE < 0) {
      return instant; // a new peer connection: its totals started again
    }
    return dD == 0 ? 0 : Math.sqrt(dE / dD);
  }

  private static long num(Object o) {
    return o instanceof Number ? ((Number) o).longValue() : 0;
  }

  private static double dbl(Object o) {
    return o instanceof Number ? ((Number) o).doubleValue() : 0;
  }

  private void safe(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("voice listener failed", e);
    }
  }

  private <T> T callOnThread(java.util.concurrent.Callable<T> c) {
    if (exec.isShutdown() || Thread.currentThread() == callThread) {
      try {
        return c.call();
      } catch (Exception e) {
        throw new VoiceException(e.getMessage(), e);
      }
    }
    try {
      return exec.submit(c).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VoiceException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new VoiceException("voice call thread did not answer: " + e, e);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      try {
        return c.call();
      } catch (Exception ex) {
        throw new VoiceException(ex.getMessage(), ex);
      }
    }
  }

  // ---- one signalling link + peer connection ------------------------------------------------

  /** A remote member's track. */
  private record RemoteVoice(String mid, String streamId, AudioTrack track, AudioTrackSink sink,
      java.util.concurrent.atomic.AtomicBoolean attached) {

    /**
     * Adds or removes the sink. A sink costs a JNI call with a fresh array per member every 10 ms on
     * libwebrtc's playout thread, so it is only there while a tap or the engine's mixer wants the audio
     * (libwebrtc's own playout does not need it).
     */
    synchronized void attach(boolean want) {
      if (attached.get() == want) {
        return;
      }
      if (want) {
        VoiceEngine.step("addSink", () -> track.addSink(sink));
      } else {
        VoiceEngine.step("removeSink", () -> track.removeSink(sink));
      }
      attached.set(want);
    }
  }

  /** Whether the remote tracks' decoded audio is wanted in Java (a tap, or the engine's mixer pulling). */
  private boolean wantRemoteAudio() {
    return tap != null || engine.mixer().active();
  }

  /** Attaches or detaches the remote tracks' sinks as {@link #wantRemoteAudio()} says (call thread). */
  private void updateSinks() {
    Session s = session;
    if (s == null) {
      return;
    }
    boolean want = wantRemoteAudio();
    for (RemoteVoice rv : s.remotes.values()) {
      rv.attach(want);
    }
  }

  private final class Session {
    final SfuLink link;
    final RTCPeerConnection pc;
    final AudioTrackSource source;
    /** The synthetic microphone when the input is a tone (it feeds the module's capture path). */
    final ToneMicrophone toneMicrophone;
    final AudioTrack localTrack;
    /** Our voice's sender (null for a receive-only member). */
    final RTCRtpSender sender;
    final Map<String, RemoteVoice> remotes = new ConcurrentHashMap<>();
    volatile boolean closed;
    volatile CompletableFuture<Void> gathered = new CompletableFuture<>();
    long answeredRevision = -1;

    Session() {
      RTCConfiguration config = new RTCConfiguration();
      for (IceServerConfig s : grant.iceServers()) {
        RTCIceServer server = new RTCIceServer();
        server.urls = new ArrayList<>(s.urls());
        server.username = s.username();
        server.password = s.password();
        config.iceServers.add(server);
      }
      link = links.open(grant);
      pc = engine.factory().createPeerConnection(config, new Observer(this));
      if (grant.canSpeak()) {
        // a tone is a microphone too: the device module's capture path, with the same processing options
        toneMicrophone = input instanceof VoiceInput.Tone t ? engine.toneMicrophone(t) : null;
        AudioOptions options = new AudioOptions();
        VoiceConfig c = engine.config();
        options.echoCancellation = c.echoCancellation();
        options.noiseSuppression = c.noiseSuppression();
        options.autoGainControl = c.gainControl();
        options.highpassFilter = c.highPassFilter();
        source = engine.factory().createAudioSource(options);
        localTrack = engine.factory().createAudioTrack("voice-" + id, source);
        // no sink on the local track: webrtc-java 0.14's local audio track never calls one (native libwebrtc
        // sends the capture from the audio module straight to the send stream); the input level comes from
        // the media-source stats instead (see sample())
        localTrack.setEnabled(!effectiveMute());
        // addTrack (not addTransceiver): the SFU's first offer pairs its section mid 0 only with it
        sender = pc.addTrack(localTrack, List.of("voice-" + id));
      } else {
        source = null;
        toneMicrophone = null;
        localTrack = null;
        sender = null;
      }
    }

    /**
     * Starts or stops our send stream (call thread). A muted member's stream is made inactive
     * ({@code encodings[0].active = false}): libwebrtc then stops the stream on its worker thread, and
     * once no stream of the engine sends, {@code AudioState} stops the audio module's capture itself; it
     * starts it again (and the stream) when the encoding becomes active. So a muted member neither
     * captures, processes, encodes nor sends anything, and every start/stop of the module's capture is
     * made by libwebrtc's one worker thread, serialised with the starts libwebrtc makes on its own
     * (negotiations). Java must not call the module's start/stopRecording during a call: webrtc-java's
     * headless module joins its capture thread in stopRecording, and a start racing that stop from
     * another thread leaves the join waiting forever (the JVM hung that way when mute called them).
     */
    void setSending(boolean send) {
      if (sender == null || closed) {
        return;
      }
      try {
        RTCRtpSendParameters p = sender.getParameters();
        if (p == null || p.encodings == null || p.encodings.isEmpty()) {
          return; // nothing negotiated yet: applied again after the answer
        }
        boolean change = false;
        for (RTCRtpEncodingParameters e : p.encodings) {
          // read back each time (not cached): a renegotiation must not leave a stale belief behind
          if (!Boolean.valueOf(send).equals(e.active)) {
            e.active = send;
            change = true;
          }
        }
        if (change) {
          sender.setParameters(p);
        }
      } catch (RuntimeException | Error e) {
        if (e instanceof Error && e.getClass() != Error.class) {
          throw (Error) e;
        }
        // webrtc-java reports a refused change as a plain Error; the track stays disabled (silence)
        log.warn("voice call {}: cannot {} the send stream: {}", id, send ? "start" : "stop", e.getMessage());
      }
    }

    String acceptOffer(String sdp) {
      try {
        await(setRemote(new RTCSessionDescription(RTCSdpType.OFFER, withDtx(sdp))), "setRemoteDescription");
        CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
          @Override
          public void onSuccess(RTCSessionDescription d) {
            answer.complete(d);
          }

          @Override
          public void onFailure(String error) {
            answer.completeExceptionally(new VoiceException(error));
          }
        });
        RTCSessionDescription desc = await(answer, "createAnswer");
        if (pc.getIceGatheringState() != RTCIceGatheringState.COMPLETE) {
          gathered = new CompletableFuture<>();
        }
        await(setLocal(desc), "setLocalDescription");
        if (pc.getIceGatheringState() != RTCIceGatheringState.COMPLETE) {
          try {
            gathered.get(engine.config().negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
          } catch (TimeoutException e) {
            log.warn("voice call {}: ICE gathering incomplete; answering with the candidates so far", id);
          } catch (ExecutionException e) {
            throw new VoiceException("gathering failed", e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VoiceException("interrupted", e);
          }
        }
        return pc.getLocalDescription().sdp;
      } catch (Error e) {
        if (e.getClass() != Error.class) {
          throw e;
        }
        // webrtc-java reports an unparsable description as a plain java.lang.Error
        throw new VoiceException("SFU offer refused: " + e.getMessage(), e);
      }
    }

    private CompletableFuture<Void> setRemote(RTCSessionDescription d) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      pc.setRemoteDescription(d, new SetObserver(f));
      return f;
    }

    private CompletableFuture<Void> setLocal(RTCSessionDescription d) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      pc.setLocalDescription(d, new SetObserver(f));
      return f;
    }

    private <T> T await(CompletableFuture<T> f, String what) {
      try {
        return f.get(engine.config().negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new VoiceException(what + " timed out", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VoiceException("interrupted in " + what, e);
      } catch (ExecutionException e) {
        throw new VoiceException(what + " failed: " + e.getCause().getMessage(), e.getCause());
      }
    }

    void sendQuietly(ClientToSfu frame) {
      try {
        link.send(frame);
      } catch (RuntimeException e) {
        log.debug("voice call {}: cannot send {}: {}", id, frame.getClass().getSimpleName(), e.getMessage());
      }
    }

    void trackAdded(RTCRtpTransceiver transceiver) {
      MediaStreamTrack t = transceiver.getReceiver().getTrack();
      if (!(t instanceof AudioTrack) || closed) {
        return;
      }
      AudioTrack audio = (AudioTrack) t;
      String mid = transceiver.getMid();
      RemoteVoice old = remotes.get(mid);
      if (old != null && old.track.getId().equals(audio.getId())) {
        return;
      }
      if (old != null) {
        old.attach(false);
      }
      String streamId = streamIdOf(mid);
      AudioTrackSink sink = (data, bits, rate, channels, frames) -> {
        if (deafened) {
          return;
        }
        RemoteAudioTap tp = tap;
        PlayoutMixer mixer = engine.mixer();
        if (tp == null && !mixer.active()) {
          return;
        }
        String user = userForStreamUnsafe(streamId);
        String who = user == null ? streamId : user;
        try {
          mixer.offer(who, data, bits, rate, channels, frames);
          if (tp != null) {
            double g = user == null ? 1 : volumes.getOrDefault(user, 1.0);
            tp.onAudio(who, g == 1.0 ? data : scaled(data, bits, channels, frames, g), bits, rate, channels, frames);
          }
        } catch (RuntimeException e) {
          log.debug("remote audio tap failed", e);
        }
      };
      RemoteVoice rv = new RemoteVoice(mid, streamId, audio, sink, new java.util.concurrent.atomic.AtomicBoolean());
      rv.attach(wantRemoteAudio());
      remotes.put(mid, rv);
      exec.execute(() -> {
        applyRemoteEnabled();
        fireMembers();
      });
    }

    void trackRemoved(RTCRtpReceiver receiver) {
      MediaStreamTrack t = receiver.getTrack();
      if (t == null) {
        return;
      }
      String trackId = t.getId();
      remotes.values().removeIf(rv -> {
        if (rv.track.getId().equals(trackId)) {
          rv.attach(false);
          return true;
        }
        return false;
      });
      exec.execute(VoiceCall.this::fireMembers);
    }

    /** The msid stream id of {@code mid} in the remote description. */
    private String streamIdOf(String mid) {
      RTCSessionDescription remote = pc.getRemoteDescription();
      if (remote == null || mid == null) {
        return null;
      }
      String current = null;
      String found = null;
      for (String line : remote.sdp.split("\r?\n")) {
        if (line.startsWith("m=")) {
          current = null;
        } else if (line.startsWith("a=mid:")) {
          current = line.substring(6).trim();
        } else if (line.startsWith("a=msid:") && mid.equals(current)) {
          String stream = line.substring(7).trim().split(" ")[0];
          if (!stream.isEmpty() && !"-".equals(stream)) {
            found = stream;
          }
        }
      }
      return found;
    }

    void close() {
      closed = true;
      sendQuietly(new ClientToSfu.Leave());
      VoiceEngine.step("link.close", link::close);
      for (RemoteVoice rv : remotes.values()) {
        rv.attach(false);
      }
      remotes.clear();
      VoiceEngine.step("pc.close", pc::close);
    }
  }

  /** Reads the member map from a libwebrtc audio thread (a stale answer only mislabels 10 ms). */
  private String userForStreamUnsafe(String streamId) {
    try {
      return userForStream(streamId);
    } catch (java.util.ConcurrentModificationException e) {
      return null;
    }
  }

  /**
   * Asks our Opus encoder for discontinuous transmission: the SFU's offer is the remote description,
   * whose opus {@code fmtp} parameters configure what we send. With {@code usedtx=1} a silent
   * microphone sends a comfort-noise packet every 400 ms instead of 50 packets a second (less CPU for
   * encoder, network thread and every receiver's decoder).
   */
  static String withDtx(String sdp) {
    String[] lines = sdp.split("\r\n", -1);
    String opusPt = null;
    for (String l : lines) {
      if (l.startsWith("a=rtpmap:") && l.toLowerCase(java.util.Locale.ROOT).contains(" opus/48000")) {
        opusPt = l.substring(9, l.indexOf(' '));
        break;
      }
    }
    if (opusPt == null) {
      return sdp;
    }
    StringBuilder out = new StringBuilder(sdp.length() + 16);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.startsWith("a=fmtp:" + opusPt + " ") && !l.contains("usedtx=")) {
        l = l + ";usedtx=1";
      }
      out.append(l);
      if (i < lines.length - 1) {
        out.append("\r\n");
      }
    }
    return out.toString();
  }

  /** A copy of 16-bit PCM multiplied by {@code gain}, saturated. */
  static byte[] scaled(byte[] data, int bits, int channels, int frames, double gain) {
    if (bits != 16) {
      return data;
    }
    int n = Math.min(frames * channels, data.length / 2);
    byte[] out = new byte[data.length];
    for (int i = 0; i < n; i++) {
      short v = (short) ((data[2 * i] & 0xff) | (data[2 * i + 1] << 8));
      long x = Math.round(v * gain);
      short y = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, x));
      out[2 * i] = (byte) y;
      out[2 * i + 1] = (byte) (y >> 8);
    }
    return out;
  }

  /** libwebrtc callbacks: each guarded, since an exception escaping into native code aborts the JVM. */
  private final class Observer implements PeerConnectionObserver {
    private final Session owner;

    Observer(Session owner) {
      this.owner = owner;
    }

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
      // candidates travel inside the answer (the SFU is ICE-lite and does not trickle)
    }

    @Override
    public void onIceGatheringChange(RTCIceGatheringState st) {
      if (st == RTCIceGatheringState.COMPLETE) {
        owner.gathered.complete(null);
      }
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState st) {
      try {
        exec.execute(() -> onConnectionState(owner, st));
      } catch (RuntimeException e) {
        log.debug("voice call {}: state {} after shutdown", id, st);
      }
    }

    @Override
    public void onTrack(RTCRtpTransceiver transceiver) {
      try {
        owner.trackAdded(transceiver);
      } catch (RuntimeException e) {
        log.warn("voice call {}: onTrack failed", id, e);
      }
    }

    @Override
    public void onRemoveTrack(RTCRtpReceiver receiver) {
      try {
        owner.trackRemoved(receiver);
      } catch (RuntimeException e) {
        log.warn("voice call {}: onRemoveTrack failed", id, e);
      }
    }
  }

  private static final class SetObserver implements SetSessionDescriptionObserver {
    private final CompletableFuture<Void> f;

    SetObserver(CompletableFuture<Void> f) {
      this.f = f;
    }

    @Override
    public void onSuccess() {
      f.complete(null);
    }

    @Override
    public void onFailure(String error) {
      f.completeExceptionally(new VoiceException(error));
    }
  }
}
