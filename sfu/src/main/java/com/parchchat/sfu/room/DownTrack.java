package com.parchchat.sfu.room;

import com.parchchat.sfu.rtp.RtpPacket;
import com.parchchat.sfu.rtp.RtpParseException;
import com.parchchat.sfu.rtp.RtpWriter;

/**
 * One publisher's voice as sent to one subscriber: its m-section, the subscriber's payload type and
 * extension id, and the sequence rewriting that hides packets the SFU chose not to forward (muted,
 * not among the loudest) so the subscriber does not count them as lost. Real network loss upstream
 * stays visible as gaps, so the subscriber's NACKs still make sense. Keeps the last packets it sent
 * (plain) to answer NACKs. Fields written on the subscriber's send lane (the media thread without
 * send threads) except {@link #configure}.
 */
final class DownTrack {
  final Participant publisher;
  final String mid;
  final int ssrc;
  private volatile boolean active;
  private volatile int payloadType;
  private volatile int audioLevelId;

  private boolean started;
  private int seqOffset;
  private int lastOutSeq;
  /** First outgoing sequence number of the current mapping (since the last re-base). */
  private int epochFirstOutSeq;
  private long seenGateEpoch;
  private long lastTimestamp;
  private long lastTimestampNanos;
  private long packets;
  private long octets;

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
      epochFirstOutSeq = out;
      return out;
    }
    int out = (inSeq + seqOffset) & 0xFFFF;
    if (((out - lastOutSeq) & 0xFFFF) < 0x8000) {
      lastOutSeq = out;
    }
    return out;
  }

  /** Counts a packet of {@code length} bytes (header included) sent with {@code timestamp}, for sender reports. */
  void onSent(int length, long timestamp, long nowNanos) {
    packets++;
    octets += length - 12;
    lastTimestamp = timestamp;
    lastTimestampNanos = nowNanos;
  }

  /**
   * The publisher's sequence number behind {@code outSeq}, if that number was sent under the
   * current mapping (a NACK for a packet before the last re-base is not answered); -1 otherwise.
   */
  int inSequence(int outSeq) {
    if (!started) {
      return -1;
    }
    int sinceFirst = (outSeq - epochFirstOutSeq) & 0xFFFF;
    int sent = (lastOutSeq - epochFirstOutSeq) & 0xFFFF;
    return sinceFirst > sent ? -1 : (outSeq - seqOffset) & 0xFFFF;
  }

  /**
   * This subscriber's copy of the publisher's packet behind {@code outSeq}, rebuilt from the
   * publisher's {@code cache} as it was first sent (payload type, sequence number, SSRC, audio
   * level under this subscriber's extension id), with room for the SRTP tag; null when it was not
   * sent under the current mapping or is no longer cached. {@code lengthOut[0]} gets its length.
   *
   * @param levelExtId the publisher's extension id of ssrc-audio-level, 0 if none
   */
  byte[] rebuild(PacketCache cache, int levelExtId, int outSeq, int[] lengthOut) {
    int inSeq = inSequence(outSeq);
    byte[] cached = inSeq < 0 ? null : cache.copy(inSeq);
    if (cached == null) {
      return null;
    }
    RtpPacket p;
    try {
      p = RtpPacket.parse(cached, 0, cached.length);
    } catch (RtpParseException e) {
      return null;
    }
    int levelByte = -1;
    if (levelExtId > 0) {
      int at = p.findExtension(levelExtId);
      if (at >= 0) {
        levelByte = p.buffer()[at] & 0xFF;
      }
    }
    byte[] out = new byte[RtpWriter.maxLength(p) + 16];
    lengthOut[0] = RtpWriter.write(p, out, payloadType, outSeq, p.timestamp(), ssrc, audioLevelId, levelByte);
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
