package com.parchchat.sfu.room;

/**
 * One publisher's voice as sent to one subscriber: its m-section, the subscriber's payload type and
 * extension id, and the sequence rewriting that hides packets the SFU chose not to forward (muted,
 * not among the loudest) so the subscriber does not count them as lost. Real network loss upstream
 * stays visible as gaps, so the subscriber's NACKs still make sense. Keeps the last packets it sent
 * (plain) to answer NACKs. Fields written on the media thread except {@link #configure}.
 */
final class DownTrack {
  private static final int CACHE = 512;

  final Participant publisher;
  final String mid;
  final int ssrc;
  private volatile boolean active;
  private volatile int payloadType;
  private volatile int audioLevelId;

  private boolean started;
  private int seqOffset;
  private int lastOutSeq;
  private long seenGateEpoch;
  private long lastTimestamp;
  private long lastTimestampNanos;
  private long packets;
  private long octets;
  private final byte[][] cache = new byte[CACHE][];
  private final int[] cacheSeq = new int[CACHE];

  DownTrack(Participant publisher, String mid, int ssrc) {
    this.publisher = publisher;
    this.mid = mid;
    this.ssrc = ssrc;
  }

  void configure(boolean active, int payloadType, int audioLevelId) {
    this.payloadType = payloadType;
    this.audioLevelId = audioLevelId;
    this.active = active;
  }

  void deactivate() {
    active = false;
  }

  boolean active() {
    return active;
  }

  int payloadType() {
    return payloadType;
  }

  int audioLevelId() {
    return audioLevelId;
  }

  /** Maps an incoming sequence number; re-bases after a gap the SFU made itself. */
  int mapSequence(int inSeq, long gateEpoch) {
    if (!started || gateEpoch != seenGateEpoch) {
      seqOffset = (started ? lastOutSeq + 1 : (int) (Math.random() * 30000)) - inSeq;
      seenGateEpoch = gateEpoch;
      started = true;
      int out = (inSeq + seqOffset) & 0xFFFF;
      lastOutSeq = out;
      return out;
    }
    int out = (inSeq + seqOffset) & 0xFFFF;
    if (((out - lastOutSeq) & 0xFFFF) < 0x8000) {
      lastOutSeq = out;
    }
    return out;
  }

  void onSent(byte[] plain, int length, int seq, long timestamp, long nowNanos) {
    packets++;
    octets += length - 12;
    lastTimestamp = timestamp;
    lastTimestampNanos = nowNanos;
    int slot = seq % CACHE;
    byte[] copy = cache[slot];
    if (copy == null || copy.length < length) {
      copy = new byte[Math.max(length, 256)];
      cache[slot] = copy;
    }
    System.arraycopy(plain, 0, copy, 0, length);
    cacheSeq[slot] = seq | (length << 16);
  }

  /** The plain packet sent with {@code seq}, copied with room for the SRTP tag, or null. */
  byte[] cached(int seq, int[] lengthOut) {
    int slot = seq % CACHE;
    byte[] c = cache[slot];
    if (c == null || (cacheSeq[slot] & 0xFFFF) != seq) {
      return null;
    }
    int len = cacheSeq[slot] >>> 16;
    byte[] out = new byte[len + 16];
    System.arraycopy(c, 0, out, 0, len);
    lengthOut[0] = len;
    return out;
  }

  long packets() {
    return packets;
  }

  long octets() {
    return octets;
  }

  /** RTP timestamp corresponding to now, for sender reports (48 kHz clock). */
  long timestampAt(long nowNanos) {
    return (lastTimestamp + (nowNanos - lastTimestampNanos) / 1_000_000L * 48) & 0xFFFFFFFFL;
  }
}
