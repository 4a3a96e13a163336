package com.parchchat.sfu.room;

import com.parchchat.sfu.rtcp.RtcpWriter;

/**
 * Reception statistics of one publisher's stream, for the receiver reports the SFU sends back
 * (RFC 3550 §6.4.1 and Appendix A.3 / A.8). Media thread only.
 */
final class UpStream {
  private static final int RTP_SEQ_MOD = 1 << 16;
  private final int ssrc;
  private int maxSeq;
  private int cycles;
  private int baseSeq;
  private long received;
  private long expectedPrior;
  private long receivedPrior;
  private double jitter;
  private long lastTransit = Long.MIN_VALUE;
  private long lastSrMiddle;
  private long lastSrNanos;
  private boolean started;

  UpStream(int ssrc) {
    this.ssrc = ssrc;
  }

  int ssrc() {
    return ssrc;
  }

  long received() {
    return received;
  }

  void onPacket(int seq, long rtpTimestamp, long arrivalNanos) {
    if (!started) {
      started = true;
      baseSeq = seq;
      maxSeq = seq;
    } else {
      int delta = (seq - maxSeq) & 0xFFFF;
      if (delta != 0 && delta < 0x8000) {
        if (seq < maxSeq) {
          cycles += RTP_SEQ_MOD;
        }
        maxSeq = seq;
      }
    }
    received++;
    // RFC 3550 A.8: interarrival jitter in timestamp units (48 kHz for Opus)
    long arrival = arrivalNanos / 1_000_000L * 48;
    long transit = arrival - rtpTimestamp;
    if (lastTransit != Long.MIN_VALUE) {
      long d = Math.abs(transit - lastTransit);
      if (d < 48_000 * 10) {
        jitter += (d - jitter) / 16.0;
      }
    }
    lastTransit = transit;
  }

  void onSenderReport(long middleNtp, long nowNanos) {
    lastSrMiddle = middleNtp;
    lastSrNanos = nowNanos;
  }

  RtcpWriter.ReportBlock report(long nowNanos) {
    long extMax = (long) cycles + maxSeq;
    long expected = extMax - baseSeq + 1;
    long lost = expected - received;
    long expectedInterval = expected - expectedPrior;
    long receivedInterval = received - receivedPrior;
    expectedPrior = expected;
    receivedPrior = received;
    long lostInterval = expectedInterval - receivedInterval;
    int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
    long dlsr = lastSrNanos == 0 ? 0 : ((nowNanos - lastSrNanos) * 65536L) / 1_000_000_000L;
    return new RtcpWriter.ReportBlock(ssrc, Math.min(fraction, 255), (int) Math.max(lost, 0), extMax & 0xFFFFFFFFL,
        (long) jitter, lastSrMiddle, lastSrMiddle == 0 ? 0 : dlsr);
  }
}
