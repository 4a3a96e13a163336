package com.parchchat.sfu.room;

import com.parchchat.sfu.dtls.DtlsIdentity;
import com.parchchat.sfu.ice.MediaServer;
import com.parchchat.sfu.srtp.SrtpProfile;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/** What every participant shares: the media socket, the DTLS identity, executors, counters. */
public final class RoomServices {
  private final MediaServer media;
  private final DtlsIdentity identity;
  private final Executor dtlsExecutor;
  private final List<InetSocketAddress> candidates;
  private final List<SrtpProfile> srtpProfiles;
  private final SecureRandom random = new SecureRandom();
  private final Set<Integer> usedSsrcs = ConcurrentHashMap.newKeySet();
  private final LongAdder forwarded = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder retransmitted = new LongAdder();

  public RoomServices(MediaServer media, DtlsIdentity identity, Executor dtlsExecutor,
      List<InetSocketAddress> candidates, List<SrtpProfile> srtpProfiles) {
    this.media = media;
    this.identity = identity;
    this.dtlsExecutor = dtlsExecutor;
    this.candidates = List.copyOf(candidates);
    this.srtpProfiles = List.copyOf(srtpProfiles);
  }

  MediaServer media() {
    return media;
  }

  DtlsIdentity identity() {
    return identity;
  }

  Executor dtlsExecutor() {
    return dtlsExecutor;
  }

  List<InetSocketAddress> candidates() {
    return candidates;
  }

  List<SrtpProfile> srtpProfiles() {
    return srtpProfiles;
  }

  SecureRandom random() {
    return random;
  }

  /** A non-zero SSRC unique in this process (so forwarded streams never collide). */
  int newSsrc() {
    while (true) {
      int s = random.nextInt();
      if (s != 0 && usedSsrcs.add(s)) {
        return s;
      }
    }
  }

  private volatile java.util.function.Consumer<Participant> onClose = p -> {};

  void onClose(java.util.function.Consumer<Participant> c) {
    onClose = c;
  }

  void forget(Participant p) {
    onClose.accept(p);
  }

  void countForwarded() {
    forwarded.increment();
  }

  void countDrop() {
    dropped.increment();
  }

  void countRetransmitted() {
    retransmitted.increment();
  }

  public long forwardedPackets() {
    return forwarded.sum();
  }

  public long droppedPackets() {
    return dropped.sum();
  }

  public long retransmittedPackets() {
    return retransmitted.sum();
  }
}
