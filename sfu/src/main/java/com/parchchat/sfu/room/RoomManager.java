package com.parchchat.sfu.room;

import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.sfu.sdp.SdpParseException;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All rooms of this SFU: creates a room on first join, frees it when the last member leaves,
 * enforces capacity and room count, and runs the periodic media tasks (RTCP reports, speakers,
 * consent) on the media thread.
 */
public final class RoomManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RoomManager.class);

  private final RoomServices services;
  private final int capacity;
  private final int maxRooms;
  private final int loudestN;
  private final long consentTimeoutNanos;
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<Participant, Long> joinedAt = new ConcurrentHashMap<>();
  private final ExecutorService closer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "sfu-closer");
    t.setDaemon(true);
    return t;
  });
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();

  /** A refused join, with the reason the client gets. */
  public static final class JoinException extends Exception {
    private static final long serialVersionUID = 1L;
    private final SfuErrorReason reason;

    JoinException(SfuErrorReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public SfuErrorReason reason() {
      return reason;
    }
  }

  /**
   * Timer runs per one-second RTCP report interval (media thread): every 10 ms about 1 % of the
   * members report, so a run is a few SRTCP encryptions (at 36 speakers × 50 listeners, 20 runs a
   * second were ~90 each, ~1 ms during which arriving voice packets waited).
   */
  private static final int REPORT_SLOTS = 100;

  public RoomManager(RoomServices services, int capacity, int maxRooms, int loudestN, int speakerIntervalMillis,
      int consentTimeoutSeconds) {
    this.services = services;
    this.capacity = capacity;
    this.maxRooms = maxRooms;
    this.loudestN = loudestN;
    this.consentTimeoutNanos = TimeUnit.SECONDS.toNanos(consentTimeoutSeconds);
    services.onClose(joinedAt::remove);
    // each member reports once a second, the members spread over REPORT_SLOTS timer runs
    int[] reportSlot = new int[1];
    timers.add(services.media().every(1000 / REPORT_SLOTS, () -> {
      long now = System.nanoTime();
      long wall = System.currentTimeMillis();
      int slot = reportSlot[0];
      reportSlot[0] = (slot + 1) % REPORT_SLOTS;
      for (Room r : rooms.values()) {
        r.sendReports(now, wall, slot, REPORT_SLOTS);
      }
      services.media().flush();
    }));
    timers.add(services.media().every(speakerIntervalMillis, () -> {
      long now = System.nanoTime();
      for (Room r : rooms.values()) {
        r.updateSpeakers(now);
      }
    }));
    timers.add(services.media().every(2000, () -> {
      long now = System.nanoTime();
      for (Room r : rooms.values()) {
        r.checkConsent(now, consentTimeoutNanos, joinedAt);
      }
    }));
  }

  /**
   * Puts a new participant into {@code roomId}, sends it {@code joined} and its first offer, and
   * tells the others. A member with the same user id is replaced.
   */
  public Participant join(String roomId, String userId, String name, boolean canSpeak, SignalSink sink,
      String offerSdp) throws JoinException {
    while (true) {
      Room room = rooms.get(roomId);
      if (room == null) {
        if (rooms.size() >= maxRooms) {
          throw new JoinException(SfuErrorReason.ROOM_FULL, "the SFU hosts its maximum number of rooms");
        }
        room = rooms.computeIfAbsent(roomId, id -> new Room(id, capacity, loudestN, this, services.media()));
      }
      Participant p = new Participant(userId, name, canSpeak, room, sink, services);
      Participant replaced = room.add(p);
      if (replaced == p) {
        if (room.isFreed()) {
          rooms.remove(roomId, room);
          continue; // raced with the last member leaving; use a fresh room
        }
        throw new JoinException(SfuErrorReason.ROOM_FULL, "room is full (" + capacity + " members)");
      }
      joinedAt.put(p, System.nanoTime());
      services.media().register(p);
      if (replaced != null) {
        replaced.close("replaced");
      }
      p.send(new SfuToClient.Joined(roomId, p.describe(), room.describeOthers(p)));
      if (offerSdp == null) {
        p.renegotiate();
      } else {
        try {
          p.acceptOffer(offerSdp);
        } catch (SdpParseException e) {
          p.close(null);
          throw new JoinException(SfuErrorReason.SDP_INVALID, e.getMessage());
        }
      }
      room.announce(p);
      log.info("{} joined {} ({} members, canSpeak={})", userId, roomId, room.size(), canSpeak);
      return p;
    }
  }

  public void setMuted(Participant p, boolean muted) {
    Room r = rooms.get(p.room().id());
    if (r != null) {
      r.setMuted(p, muted);
    }
  }

  /** Removes {@code userId} from {@code roomId} at once; false if not there. */
  public boolean kick(String roomId, String userId) {
    Room r = rooms.get(roomId);
    if (r == null) {
      return false;
    }
    for (Participant p : r.members()) {
      if (p.userId().equals(userId)) {
        p.close("kicked");
        log.info("{} kicked from {}", userId, roomId);
        return true;
      }
    }
    return false;
  }

  void free(Room r) {
    rooms.remove(r.id(), r);
    log.info("room {} is empty and freed", r.id());
  }

  /** Sends {@code frame} to {@code to} from the closer thread, keeping the media thread free. */
  void broadcastLater(List<Participant> to, SfuToClient frame) {
    try {
      closer.execute(() -> to.forEach(p -> p.send(frame)));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down: nobody to tell
    }
  }

  void closeLater(Participant p, String reason) {
    closer.execute(() -> p.close(reason));
  }

  public boolean hasRoom(String roomId) {
    return rooms.containsKey(roomId);
  }

  public int roomCount() {
    return rooms.size();
  }

  /**
   * Counters for the admin API: rooms, members, packets, the in-SFU forwarding latency (read →
   * handed to the kernel) and the fan-out time of one packet alone, and the JVM's GC pauses so
   * far. {@code resetLatency} starts new latency windows.
   */
  public Map<String, Object> stats(boolean resetLatency) {
    int members = 0;
    for (Room r : rooms.values()) {
      members += r.size();
    }
    Map<String, Object> latency = histogram(services.media().forwardLatency(), resetLatency);
    Map<String, Object> fanOut = histogram(services.media().fanOut(), resetLatency);
    long gcCount = 0;
    long gcMillis = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory
        .getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("rooms", rooms.size());
    out.put("participants", members);
    out.put("receivedDatagrams", services.media().receivedDatagrams());
    out.put("sentDatagrams", services.media().sentDatagrams());
    out.put("droppedDatagrams", services.media().droppedDatagrams());
    out.put("forwardedPackets", services.forwardedPackets());
    out.put("droppedPackets", services.droppedPackets());
    out.put("retransmittedPackets", services.retransmittedPackets());
    out.put("forwardLatencyMicros", latency);
    out.put("fanOutMicros", fanOut);
    out.put("gcCollections", gcCount);
    out.put("gcMillis", gcMillis);
    return out;
  }

  private static Map<String, Object> histogram(com.parchchat.sfu.ice.LatencyHistogram h, boolean reset) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("count", h.count());
    m.put("p50", h.quantileMicros(0.50));
    m.put("p99", h.quantileMicros(0.99));
    m.put("p999", h.quantileMicros(0.999));
    m.put("max", h.quantileMicros(1.0));
    if (reset) {
      h.reset();
    }
    return m;
  }

  public RoomServices services() {
    return services;
  }

  @Override
  public void close() {
    for (ScheduledFuture<?> t : timers) {
      t.cancel(false);
    }
    for (Room r : rooms.values()) {
      for (Participant p : r.members()) {
        p.close(null);
      }
    }
    closer.shutdown();
  }
}
