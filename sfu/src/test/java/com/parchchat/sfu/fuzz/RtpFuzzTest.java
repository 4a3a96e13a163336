package com.parchchat.sfu.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.parchchat.sfu.rtp.RtpPacket;
import com.parchchat.sfu.rtp.RtpParseException;
import com.parchchat.sfu.rtp.RtpWriter;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the RTP header parser (RFC 3550 §5.1, RFC 8285 header extensions,
 * RFC 6464 audio level).
 *
 * <p>{@link RtpPacket#parse} must return a view whose payload lies inside the datagram or throw
 * {@link RtpParseException}; extension lookups on a parsed packet never throw. The same bytes
 * parsed at a non-zero offset give the same fields (the SFU parses in place in pooled buffers).
 * Round trip: what {@link RtpWriter} builds from a parsed packet parses back with the same marker,
 * payload type, sequence number, timestamp, SSRC, audio level and payload bytes.
 */
class RtpFuzzTest {
  private static final int SHIFT = 7;
  /** Every one-byte id (15 is the RFC 8285 stop marker) and a few two-byte ones, up to 255. */
  private static final int[] EXTENSION_IDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 100, 255};

  @FuzzTest(maxDuration = "10s")
  void parse(byte[] input) {
    RtpPacket p;
    try {
      p = RtpPacket.parse(input, 0, input.length);
    } catch (RtpParseException e) {
      Fuzz.check(e.getMessage() != null, "RtpParseException without a message");
      return;
    }
    Fuzz.check(p.payloadLength() >= 0 && p.payloadOffset() >= RtpPacket.FIXED_HEADER
        && p.payloadOffset() + p.payloadLength() <= input.length, "payload outside the datagram");
    RtpPacket.looksLikeRtcp(input, 0, input.length);
    int level = -1;
    for (int id : EXTENSION_IDS) {
      int at = p.findExtension(id);
      if (at >= 0) {
        Fuzz.check(at + p.extensionLength(at) <= input.length, "extension " + id + " outside the datagram");
      }
      int l = p.audioLevel(id);
      p.voiceActivity(id);
      if (id == 1) {
        level = l;
      }
    }

    byte[] shifted = new byte[input.length + SHIFT + 3];
    System.arraycopy(input, 0, shifted, SHIFT, input.length);
    RtpPacket q;
    try {
      q = RtpPacket.parse(shifted, SHIFT, input.length);
    } catch (RtpParseException e) {
      throw new AssertionError("parses at offset 0 but not at offset " + SHIFT + ": " + e.getMessage(), e);
    }
    Fuzz.check(q.payloadOffset() == p.payloadOffset() + SHIFT && q.payloadLength() == p.payloadLength()
        && q.sequence() == p.sequence() && q.audioLevel(1) == level, "fields depend on the buffer offset");

    int levelByte = level < 0 ? -1 : input[p.findExtension(1)] & 0xFF;
    byte[] out = new byte[RtpWriter.maxLength(p)];
    int n = RtpWriter.write(p, out, p.payloadType(), p.sequence(), p.timestamp(), p.ssrc(), 1, levelByte);
    RtpPacket back;
    try {
      back = RtpPacket.parse(out, 0, n);
    } catch (RtpParseException e) {
      throw new AssertionError("RtpWriter output does not parse: " + e.getMessage(), e);
    }
    Fuzz.check(back.marker() == p.marker() && back.payloadType() == p.payloadType()
        && back.sequence() == p.sequence() && back.timestamp() == p.timestamp() && back.ssrc() == p.ssrc(),
        "header fields changed in RtpWriter round trip");
    Fuzz.check(back.audioLevel(1) == level, "audio level " + level + " became " + back.audioLevel(1));
    Fuzz.check(Arrays.equals(out, back.payloadOffset(), back.payloadOffset() + back.payloadLength(),
        input, p.payloadOffset(), p.payloadOffset() + p.payloadLength()), "payload changed in round trip");
  }
}
