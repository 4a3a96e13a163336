package com.parchchat.sfu.room;

import com.parchchat.protocol.sfu.SfuParticipant;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.sfu.dtls.DtlsEndpoint;
import com.parchchat.sfu.dtls.Fingerprint;
import com.parchchat.sfu.ice.IceCredentials;
import com.parchchat.sfu.ice.IceLiteAgent;
import com.parchchat.sfu.ice.MediaServer;
import com.parchchat.sfu.ice.MediaSession;
import com.parchchat.sfu.rtcp.RtcpHeader;
import com.parchchat.sfu.rtcp.RtcpParseException;
import com.parchchat.sfu.rtcp.RtcpParser;
import com.parchchat.sfu.rtcp.RtcpWriter;
import com.parchchat.sfu.rtp.RtpPacket;
import com.parchchat.sfu.rtp.RtpParseException;
import com.parchchat.sfu.rtp.RtpWriter;
import com.parchchat.sfu.sdp.PeerDescription;
import com.parchchat.sfu.sdp.SdpParseException;
import com.parchchat.sfu.sdp.SdpWriter;
import com.parchchat.sfu.sdp.SessionDescription;
import com.parchchat.sfu.srtp.PacketBuffer;
import com.parchchat.sfu.srtp.SrtpException;
import com.parchchat.sfu.srtp.SrtpProfile;
import com.parchchat.sfu.srtp.SrtpSession;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a room: its signalling connection, its ICE-lite/DTLS-SRTP media session, the
 * stream it publishes and one {@link DownTrack} per other speaker it receives.
 *
 * <p>Negotiation (guarded by {@code this}): the SFU always offers; at most one offer is outstanding;
 * changes while waiting mark the state dirty and a fresh offer follows the answer. Receive-side
 * media (upstream stats, SRTP decryption, the NACK cache) is touched only on the media thread;
 * send-side media (the down tracks' mappings and counters, SRTP/SRTCP encryption, retransmissions,
 * reports) only on this member's {@link MediaServer.Lane} — the media thread itself when the SFU
 * runs without send threads.
 */
public final class Participant implements MediaSession, DtlsEndpoint.Listener {
  private static final Logger log = LoggerFactory.getLogger(Participant.class);
  static final String CNAME = "parch-sfu";

  private final String userId;
  private final String name;
  private final boolean canSpeak;
  /** The thread that encrypts and sends everything this member receives. */
  private final MediaServer.Lane lane;
  /** Lane only: the copy being rewritten and encrypted for this receiver (reused, see forward). */
  private final PacketBuffer forwardBuffer = new PacketBuffer(new byte[256], 0, 0);
  private final Room room;
  private final SignalSink signal;
  private final RoomServices services;
  private final IceLiteAgent ice;
  private final DtlsEndpoint dtls;
  private final int outSsrc;
  private final int rtcpSsrc;
  private final String streamId;
  private final long sdpSessionId;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile SrtpSession srtp;
  private volatile boolean muted;
  /** Bumped whenever one of this publisher's packets is not forwarded; down tracks re-base on change. */
  volatile long gateEpoch;

  // negotiation state, guarded by this
  private final List<Slot> slots = new ArrayList<>();
  private long revision;
  private boolean awaitingAnswer;
  private boolean dirty;
  private boolean negotiatedOnce;
  private List<String> offeredMids = List.of();
  private Fingerprint remoteFingerprint;
  private int opusPt = SdpWriter.DEFAULT_OPUS_PT;
  private int levelExtId = SdpWriter.DEFAULT_AUDIO_LEVEL_ID;
  private int midExtId = SdpWriter.DEFAULT_MID_ID;
  private String offerSetup = "actpass";

  // upstream, media thread (configuration fields volatile: written by signalling)
  private volatile int upPayloadType = -1;
  private volatile int upAudioLevelId;
  private volatile List<Long> declaredSsrcs = List.of();
  private UpStream up;
  /** Media thread: this publisher's last packets, plain, for subscribers' NACKs. */
  private final PacketCache sentCache;

  private final Map<Participant, DownTrack> downByPublisher = new ConcurrentHashMap<>();
  private final Map<Integer, DownTrack> downBySsrc = new ConcurrentHashMap<>();

  /** One m-section as negotiated: the member's own microphone, a remote speaker, or a rejected line. */
  private static final class Slot {
    final String mid;
    final Participant publisher;
    final SdpWriter.Section rejected;
    boolean dead;

    Slot(String mid, Participant publisher, SdpWriter.Section rejected) {
      this.mid = mid;
      this.publisher = publisher;
      this.rejected = rejected;
    }

    boolean own() {
      return publisher == null && rejected == null;
    }
  }

  Participant(String userId, String name, boolean canSpeak, Room room, SignalSink signal, RoomServices services) {
    this.userId = userId;
    this.name = name;
    this.canSpeak = canSpeak;
    this.room = room;
    this.signal = signal;
    this.services = services;
    this.ice = new IceLiteAgent(IceCredentials.random(services.random()));
    this.lane = services.media().nextLane();
    this.outSsrc = services.newSsrc();
    this.rtcpSsrc = services.newSsrc();
    this.streamId = canSpeak ? "p" + Integer.toUnsignedString(outSsrc, 36) : null;
    this.sentCache = canSpeak ? new PacketCache() : null;
    this.sdpSessionId = services.random().nextLong() & Long.MAX_VALUE;
    this.dtls = new DtlsEndpoint(userId, services.identity(), services.srtpProfiles(),
        d -> {
          InetSocketAddress to = ice.selected();
          if (to != null) {
            services.media().send(d, to);
          }
        }, this);
  }

  public String userId() {
    return userId;
  }

  public Room room() {
    return room;
  }

  public boolean canSpeak() {
    return canSpeak;
  }

  public boolean muted() {
    return muted;
  }

  public SfuParticipant describe() {
    return new SfuParticipant(userId, name, canSpeak, muted, streamId);
  }

  void send(SfuToClient frame) {
    if (!closed.get()) {
      signal.send(frame);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  void setMuted(boolean m) {
    muted = m;
  }

  // ---------------------------------------------------------------- negotiation

  /**
   * Answers the member's own first offer (sent with {@code join}). Used by clients whose microphone
   * transceiver was made with addTransceiver, which JSEP §5.10 never pairs with a section of a remote
   * offer. Later changes are SFU-initiated offers that keep these sections first and in order.
   */
  public void acceptOffer(String sdpText) throws SdpParseException {
    synchronized (this) {
      if (negotiatedOnce || awaitingAnswer) {
        throw new SdpParseException("an offer is only accepted with join");
      }
      PeerDescription d = PeerDescription.readOffer(SessionDescription.parse(sdpText));
      setRemoteFingerprint(d.fingerprint());
      int own = -1;
      List<SdpWriter.Section> sections = new ArrayList<>();
      for (int i = 0; i < d.media().size(); i++) {
        PeerDescription.MediaLine m = d.media().get(i);
        if (own < 0 && m.usableAudio()) {
          own = i;
          opusPt = m.opusPayloadType();
          levelExtId = m.audioLevelId();
          midExtId = m.midExtensionId();
          slots.add(new Slot(m.mid(), null, null));
          boolean publish = canSpeak && m.peerSends();
          configureUpstream(publish, m);
          sections.add(SdpWriter.Section.audio(m.mid(), publish ? "recvonly" : "inactive"));
        } else {
          SdpWriter.Section r = SdpWriter.Section.rejected(m.mid(), m.type(), m.proto(), String.join(" ", m.formats()));
          slots.add(new Slot(m.mid(), null, r));
          sections.add(r);
        }
      }
      offerSetup = "passive"; // we answered passive: the client is DTLS client for good
      negotiatedOnce = true;
      send(new SfuToClient.Answer(SdpWriter.write(transport("passive", 1), sections)));
    }
    renegotiate();
  }

  /** Sends a new offer if the room changed (or none was ever made), or marks one due after the pending answer. */
  public synchronized void renegotiate() {
    if (closed.get()) {
      return;
    }
    if (awaitingAnswer) {
      dirty = true;
      return;
    }
    boolean changed = !negotiatedOnce;
    if (slots.isEmpty()) {
      slots.add(new Slot("0", null, null));
    }
    for (Slot s : slots) {
      if (s.publisher != null && !s.dead && (s.publisher.isClosed() || !room.contains(s.publisher))) {
        s.dead = true;
        changed = true;
        DownTrack d = downByPublisher.remove(s.publisher);
        if (d != null) {
          d.deactivate();
          downBySsrc.remove(d.ssrc);
        }
      }
    }
    for (Participant p : room.members()) {
      if (p == this || !p.canSpeak || p.isClosed() || downByPublisher.containsKey(p)) {
        continue;
      }
      Slot s = new Slot(freshMid(), p, null);
      slots.add(s);
      DownTrack d = new DownTrack(p, s.mid, p.outSsrc);
      downByPublisher.put(p, d);
      downBySsrc.put(d.ssrc, d);
      changed = true;
    }
    if (!changed) {
      return;
    }
    List<SdpWriter.Section> sections = new ArrayList<>(slots.size());
    List<String> mids = new ArrayList<>(slots.size());
    for (Slot s : slots) {
      mids.add(s.mid);
      if (s.rejected != null) {
        sections.add(s.rejected);
      } else if (s.own()) {
        sections.add(SdpWriter.Section.audio(s.mid, canSpeak ? "recvonly" : "inactive"));
      } else if (s.dead) {
        sections.add(SdpWriter.Section.audio(s.mid, "inactive"));
      } else {
        sections.add(SdpWriter.Section.track(s.mid, Integer.toUnsignedLong(s.publisher.outSsrc),
            s.publisher.streamId, s.publisher.streamId + "-audio"));
      }
    }
    revision++;
    awaitingAnswer = true;
    negotiatedOnce = true;
    offeredMids = mids;
    send(new SfuToClient.Offer(SdpWriter.write(transport(offerSetup, revision + 1), sections), revision));
  }

  private String freshMid() {
    int n = slots.size();
    while (true) {
      String mid = Integer.toString(n);
      boolean used = false;
      for (Slot s : slots) {
        used |= s.mid.equals(mid);
      }
      if (!used) {
        return mid;
      }
      n++;
    }
  }

  private SdpWriter.Transport transport(String setup, long version) {
    return new SdpWriter.Transport(sdpSessionId, version, ice.credentials().ufrag(), ice.credentials().pwd(),
        services.identity().fingerprint(), setup, services.candidates(), opusPt, levelExtId, midExtId, CNAME);
  }

  private void setRemoteFingerprint(Fingerprint f) throws SdpParseException {
    if (remoteFingerprint == null) {
      remoteFingerprint = f;
      dtls.setRemoteFingerprint(f);
    } else if (!remoteFingerprint.equals(f)) {
      throw new SdpParseException("the DTLS fingerprint changed during the session");
    }
  }

  private void configureUpstream(boolean publish, PeerDescription.MediaLine m) {
    if (publish) {
      upAudioLevelId = m.audioLevelId();
      declaredSsrcs = m.ssrcs();
      upPayloadType = m.opusPayloadType();
    } else {
      upPayloadType = -1;
    }
  }

  /** Applies the client's answer; throws when it is stale or malformed (the offer stays outstanding). */
  public void onAnswer(String sdpText, long answeredRevision) throws SdpParseException, StaleAnswerException {
    synchronized (this) {
      if (!awaitingAnswer || answeredRevision != revision) {
        throw new StaleAnswerException("no offer with revision " + answeredRevision + " is outstanding");
      }
      PeerDescription a = PeerDescription.readAnswer(SessionDescription.parse(sdpText), offeredMids);
      setRemoteFingerprint(a.fingerprint());
      for (int i = 0; i < slots.size(); i++) {
        Slot s = slots.get(i);
        PeerDescription.MediaLine m = a.media().get(i);
        if (s.own()) {
          configureUpstream(canSpeak && m.peerSends(), m);
        } else if (s.publisher != null && !s.dead) {
          DownTrack d = downByPublisher.get(s.publisher);
          if (d != null) {
            d.configure(m.peerReceives(), m.opusPayloadType(), m.audioLevelId());
          }
        }
      }
      awaitingAnswer = false;
      if (!dirty) {
        return;
      }
      dirty = false;
    }
    renegotiate();
  }

  // ---------------------------------------------------------------- media (media thread)

  @Override
  public IceLiteAgent ice() {
    return ice;
  }

  @Override
  public void onDtls(byte[] datagram) {
    dtls.receive(datagram, services.dtlsExecutor());
  }

  @Override
  public void onSrtpReady(SrtpProfile profile, byte[] keyingMaterial) {
    SrtpSession s = new SrtpSession(profile, keyingMaterial, true);
    services.media().execute(() -> {
      if (closed.get()) {
        s.close();
      } else {
        srtp = s;
      }
    });
    log.info("{} in {}: media secured with {}", userId, room.id(), profile);
  }

  @Override
  public void onDtlsFailed(String reason) {
    close("media_failed");
  }

  @Override
  public void onDtlsClosed() {
    log.debug("{}: peer closed DTLS", userId);
  }

  @Override
  public void onRtp(byte[] datagram, int length) {
    SrtpSession s = srtp;
    if (s == null || !canSpeak) {
      return;
    }
    PacketBuffer pb;
    RtpPacket p;
    try {
      pb = s.unprotectRtp(new PacketBuffer(datagram, 0, length));
      p = RtpPacket.parse(pb.getBuffer(), pb.getOffset(), pb.getLength());
    } catch (SrtpException | RtpParseException e) {
      services.countDrop();
      return;
    }
    if (p.payloadType() != upPayloadType) {
      return;
    }
    if (up == null || up.ssrc() != p.ssrc()) {
      List<Long> declared = declaredSsrcs;
      if (up != null && !declared.contains(Integer.toUnsignedLong(p.ssrc()))) {
        return;
      }
      if (up == null && !declared.isEmpty() && !declared.contains(Integer.toUnsignedLong(p.ssrc()))) {
        return;
      }
      up = new UpStream(p.ssrc());
      sentCache.clear(); // sequence numbers of another stream
    }
    long now = System.nanoTime();
    up.onPacket(p.sequence(), p.timestamp(), now);
    int levelId = upAudioLevelId;
    int levelByte = -1;
    if (levelId > 0) {
      int at = p.findExtension(levelId);
      if (at >= 0) {
        levelByte = p.buffer()[at] & 0xFF;
      }
    }
    sentCache.put(p.sequence(), pb.getBuffer(), pb.getOffset(), pb.getLength());
    room.forward(this, p, levelByte, now);
  }

  /**
   * Rebuilds, for the subscriber of {@code d}, the copy of this publisher's packet behind the
   * subscriber's sequence number {@code outSeq} (media thread); null when no longer cached.
   */
  byte[] resendCopy(DownTrack d, int outSeq, int[] lengthOut) {
    return sentCache == null ? null : d.rebuild(sentCache, upAudioLevelId, outSeq, lengthOut);
  }

  MediaServer.Lane lane() {
    return lane;
  }

  /**
   * Sends {@code p} from {@code publisher} to this participant, if it negotiated that track (on
   * this member's lane; the caller flushes the lane).
   *
   * @param gateEpoch the publisher's {@link #gateEpoch} when the packet was let through
   */
  void forward(Participant publisher, RtpPacket p, int levelByte, long gateEpoch, long now) {
    DownTrack d = downByPublisher.get(publisher);
    SrtpSession s = srtp;
    InetSocketAddress to = ice.selected();
    if (d == null || !d.active() || s == null || to == null) {
      return;
    }
    // lane only: one scratch buffer per receiver, copied out by Lane.write
    byte[] out = forwardBuffer.getBuffer();
    int need = RtpWriter.maxLength(p) + 16;
    if (out.length < need) {
      out = new byte[need];
    }
    int seq = d.mapSequence(p.sequence(), gateEpoch);
    int len = RtpWriter.write(p, out, d.payloadType(), seq, p.timestamp(), d.ssrc, d.audioLevelId(), levelByte);
    d.onSent(len, p.timestamp(), now);
    try {
      PacketBuffer pb = s.protectRtp(forwardBuffer.reset(out, 0, len));
      lane.write(pb.getBuffer(), pb.getOffset(), pb.getLength(), to);
      services.countForwarded();
    } catch (SrtpException e) {
      services.countDrop();
    }
  }

  @Override
  public void onRtcp(byte[] datagram, int length) {
    SrtpSession s = srtp;
    if (s == null) {
      return;
    }
    List<RtcpHeader> packets;
    PacketBuffer pb;
    try {
      pb = s.unprotectRtcp(new PacketBuffer(datagram, 0, length));
      packets = RtcpParser.split(pb.getBuffer(), pb.getOffset(), pb.getLength());
    } catch (SrtpException | RtcpParseException e) {
      services.countDrop();
      return;
    }
    byte[] b = pb.getBuffer();
    InetSocketAddress to = ice.selected();
    for (RtcpHeader h : packets) {
      if (h.packetType() == RtcpHeader.SR && up != null && h.senderSsrc() == up.ssrc()) {
        up.onSenderReport(RtcpParser.senderReportMiddleNtp(b, h), System.nanoTime());
      } else if (h.packetType() == RtcpHeader.RTPFB && h.count() == 1 && to != null) {
        DownTrack d = downBySsrc.get(RtcpParser.mediaSsrc(b, h));
        if (d == null) {
          continue;
        }
        List<Integer> nacked = RtcpParser.nackedSequences(b, h);
        // the down track's mapping and the send-side SRTP context belong to this member's lane
        lane.run(() -> retransmit(d, nacked, to));
      }
    }
  }

  /** Lane: answers a NACK from this member's publisher caches (RFC 4585 §6.2.1). */
  private void retransmit(DownTrack d, List<Integer> nacked, InetSocketAddress to) {
    SrtpSession s = srtp;
    if (s == null) {
      return;
    }
    int[] len = new int[1];
    for (int seq : nacked) {
      byte[] again = d.publisher.resendCopy(d, seq, len);
      if (again == null) {
        continue;
      }
      try {
        PacketBuffer out = s.protectRtp(new PacketBuffer(again, 0, len[0]));
        lane.write(out.getBuffer(), out.getOffset(), out.getLength(), to);
        services.countRetransmitted();
      } catch (SrtpException e) {
        services.countDrop();
      }
    }
    lane.flush();
  }

  /**
   * Periodic RTCP (media thread): an SR per stream we send, an RR for the stream we receive. The
   * RR's figures are taken here (upstream state is the media thread's); building the SRs and
   * encrypting all of them happens on this member's lane, which owns the send-side contexts.
   */
  void sendReports(long nowNanos, long wallMillis) {
    if (srtp == null || ice.selected() == null) {
      return;
    }
    byte[] rr = up != null && up.received() > 0
        ? RtcpWriter.receiverReport(rtcpSsrc, up.report(nowNanos), CNAME) : null;
    lane.run(() -> sendReportsOnLane(nowNanos, wallMillis, rr));
  }

  private void sendReportsOnLane(long nowNanos, long wallMillis, byte[] rr) {
    SrtpSession s = srtp;
    InetSocketAddress to = ice.selected();
    if (s == null || to == null) {
      return;
    }
    long ntp = RtcpWriter.ntpTime(wallMillis);
    for (DownTrack d : downByPublisher.values()) {
      if (d.active() && d.packets() > 0) {
        sendRtcp(s, to, RtcpWriter.senderReport(d.ssrc, ntp, d.timestampAt(nowNanos), d.packets(), d.octets(), CNAME));
      }
    }
    if (rr != null) {
      sendRtcp(s, to, rr);
    }
    if (!lane.isMediaThread()) {
      lane.flush();
    }
  }

  private void sendRtcp(SrtpSession s, InetSocketAddress to, byte[] plain) {
    byte[] buf = new byte[plain.length + 32];
    System.arraycopy(plain, 0, buf, 0, plain.length);
    try {
      PacketBuffer out = s.protectRtcp(new PacketBuffer(buf, 0, plain.length));
      lane.write(out.getBuffer(), out.getOffset(), out.getLength(), to);
    } catch (SrtpException e) {
      services.countDrop();
    }
  }

  /** RFC 7675 §5.1: consent expires without a valid check for the timeout (media thread). */
  boolean consentExpired(long nowNanos, long timeoutNanos, long joinedNanos) {
    long last = ice.lastConsentNanos();
    long since = last == 0 ? joinedNanos : last;
    return nowNanos - since > timeoutNanos;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Leaves the room and frees media state. {@code reason} non-null sends {@code left} first.
   * Idempotent.
   */
  public void close(String reason) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (reason != null) {
      signal.send(new SfuToClient.Left(reason));
    }
    signal.close();
    dtls.close();
    services.media().unregister(this);
    services.media().execute(() -> {
      SrtpSession s = srtp;
      srtp = null;
      if (s != null) {
        // after anything the lane still has queued for this member (it may be encrypting now)
        lane.execute(s::close);
      }
    });
    room.remove(this);
    services.forget(this);
  }

  /** Thrown for an answer whose revision is not the outstanding offer's. */
  public static final class StaleAnswerException extends Exception {
    private static final long serialVersionUID = 1L;

    StaleAnswerException(String m) {
      super(m, null, false, false);
    }
  }
}
