package com.parchchat.sfu.room;

import com.parchchat.protocol.sfu.SfuParticipant;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.sfu.ice.MediaServer;
import com.parchchat.sfu.rtp.RtpPacket;
import com.parchchat.sfu.rtp.RtpParseException;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A voice channel's members. Membership changes are synchronized; forwarding (media thread)
 * reads the concurrent member map without locks.
 */
public final class Room {
  private final String id;
  private final int capacity;
  private final int loudestN;
  private final RoomManager manager;
  private final MediaServer media;
  private final Map<String, Participant> members = new ConcurrentHashMap<>();
  private final SpeakerTracker speakers = new SpeakerTracker();
  private volatile Set<Participant> forwarded = Set.of();
  private List<SfuToClient.SpeakerLevel> lastSpeakers = List.of();
  private boolean freed;

  Room(String id, int capacity, int loudestN, RoomManager manager, MediaServer media) {
    this.id = id;
    this.media = media;
    this.capacity = capacity;
    this.loudestN = loudestN;
    this.manager = manager;
  }

  public String id() {
    return id;
  }

  Collection<Participant> members() {
    return members.values();
  }

  boolean contains(Participant p) {
    return members.get(p.userId()) == p;
  }

  public int size() {
    return members.size();
  }

  /**
   * Adds {@code p}; a member with the same user id is replaced (returned, to be closed by the
   * caller). Returns {@code p} itself when the room is full or already freed.
   */
  synchronized Participant add(Participant p) {
    if (freed) {
      return p;
    }
    Participant old = members.get(p.userId());
    if (old == null && members.size() >= capacity) {
      return p;
    }
    members.put(p.userId(), p);
    return old;
  }

  synchronized boolean isFreed() {
    return freed;
  }

  /** Removes {@code p}, tells the others and renegotiates them; frees the room when empty. */
  void remove(Participant p) {
    boolean empty;
    synchronized (this) {
      if (!members.remove(p.userId(), p)) {
        return;
      }
      speakers.remove(p);
      empty = members.isEmpty();
      if (empty) {
        freed = true;
      }
    }
    if (empty) {
      manager.free(this);
      return;
    }
    for (Participant other : members.values()) {
      other.send(new SfuToClient.ParticipantLeft(p.userId()));
      if (p.canSpeak()) {
        other.renegotiate();
      }
    }
  }

  /** Tells the others about a newcomer and offers them its track. */
  void announce(Participant p) {
    for (Participant other : members.values()) {
      if (other == p) {
        continue;
      }
      other.send(new SfuToClient.ParticipantJoined(p.describe()));
      if (p.canSpeak()) {
        other.renegotiate();
      }
    }
  }

  List<SfuParticipant> describeOthers(Participant self) {
    List<SfuParticipant> out = new ArrayList<>();
    for (Participant p : members.values()) {
      if (p != self) {
        out.add(p.describe());
      }
    }
    return out;
  }

  void setMuted(Participant p, boolean muted) {
    p.setMuted(muted);
    SfuToClient.MuteChanged frame = new SfuToClient.MuteChanged(p.userId(), muted);
    for (Participant other : members.values()) {
      other.send(frame);
    }
  }

  /** Media thread: fans a publisher's packet out to every other member who should hear it. */
  void forward(Participant from, RtpPacket p, int levelByte, long nowNanos) {
    if (levelByte >= 0) {
      speakers.onLevel(from, levelByte & 0x7F, nowNanos);
    }
    if (from.muted() || (loudestN > 0 && !forwarded.contains(from))) {
      from.gateEpoch++;
      return;
    }
    long epoch = from.gateEpoch;
    if (!media.sharded()) {
      for (Participant sub : members.values()) {
        if (sub != from) {
          sub.forward(from, p, levelByte, epoch, nowNanos);
        }
      }
      return; // the media thread flushes after the packet
    }
    // send threads: one plain copy of the packet (p lives in the media thread's read buffer),
    // shared read-only by one task per send lane; each lane rewrites, encrypts and sends to the
    // members it owns, so the room's copies leave from all lanes at once
    RtpPacket shared;
    try {
      shared = RtpPacket.parse(Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length()), 0, p.length());
    } catch (RtpParseException e) {
      return; // parsed once already
    }
    long readStart = media.readStartNanos();
    for (int i = 0; i < media.sendThreads(); i++) {
      MediaServer.Lane lane = media.lane(i);
      lane.execute(() -> fanOut(lane, from, shared, levelByte, epoch, nowNanos, readStart));
    }
    // the media thread's own share, while the send threads do theirs
    fanOut(media.mainLane(), from, p, levelByte, epoch, nowNanos, readStart);
  }

  /** On {@code lane}'s thread: {@code from}'s packet to the members it owns, then one flush. */
  private void fanOut(MediaServer.Lane lane, Participant from, RtpPacket p, int levelByte, long epoch,
      long nowNanos, long readStart) {
    long start = System.nanoTime();
    boolean any = false;
    for (Participant sub : members.values()) {
      if (sub != from && sub.lane() == lane) {
        sub.forward(from, p, levelByte, epoch, nowNanos);
        any = true;
      }
    }
    if (any) {
      lane.flush();
      long end = System.nanoTime();
      media.forwardLatency().record(end - readStart);
      media.fanOut().record(end - start);
    }
  }

  /**
   * Media thread, periodic: RTCP reports for the members in report slot {@code slot} of
   * {@code slots} (every {@code slots}-th member). Spreading a room's reports over the report
   * interval keeps each timer run short: all at once, 50 subscribers × 36 tracks are 1,800 SRTCP
   * encryptions and datagrams, a stall of the media thread of several ms once a second.
   */
  void sendReports(long nowNanos, long wallMillis, int slot, int slots) {
    int i = 0;
    for (Participant p : members.values()) {
      if (i++ % slots == slot) {
        p.sendReports(nowNanos, wallMillis);
      }
    }
  }

  /** Media thread, periodic: recompute loudest-N and broadcast {@code speakers} if it changed. */
  void updateSpeakers(long nowNanos) {
    if (loudestN > 0) {
      List<Participant> pubs = new ArrayList<>();
      for (Participant p : members.values()) {
        if (p.canSpeak() && !p.muted()) {
          pubs.add(p);
        }
      }
      if (pubs.size() > loudestN) {
        // keep current speakers on ties, so forwarding does not flap between equally quiet members
        Set<Participant> current = forwarded;
        pubs.sort(Comparator.comparingDouble((Participant p) -> speakers.loudness(p, nowNanos)
            + (current.contains(p) ? 3 : 0)).reversed());
        forwarded = new HashSet<>(pubs.subList(0, loudestN));
      } else {
        forwarded = new HashSet<>(pubs);
      }
    }
    List<SfuToClient.SpeakerLevel> now = new ArrayList<>();
    for (Map.Entry<Participant, Double> e : speakers.speaking(nowNanos)) {
      now.add(new SfuToClient.SpeakerLevel(e.getKey().userId(), Math.round(e.getValue() * 100) / 100.0));
    }
    if (now.equals(lastSpeakers)) {
      return;
    }
    lastSpeakers = now;
    // encoding and writing one JSON frame per member is signalling work: off the media thread
    manager.broadcastLater(List.copyOf(members.values()), new SfuToClient.Speakers(now));
  }

  /** Media thread, periodic: members whose media consent expired are removed. */
  void checkConsent(long nowNanos, long timeoutNanos, Map<Participant, Long> joinedAt) {
    for (Participant p : members.values()) {
      Long joined = joinedAt.get(p);
      if (joined != null && p.consentExpired(nowNanos, timeoutNanos, joined)) {
        manager.closeLater(p, "timeout");
      }
    }
  }
}
