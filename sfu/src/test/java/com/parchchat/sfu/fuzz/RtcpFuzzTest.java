package com.parchchat.sfu.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.parchchat.sfu.rtcp.RtcpHeader;
import com.parchchat.sfu.rtcp.RtcpParseException;
import com.parchchat.sfu.rtcp.RtcpParser;
import com.parchchat.sfu.rtcp.RtcpWriter;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Coverage-guided fuzzing of compound RTCP parsing (RFC 3550 §6.1, §6.4; RFC 4585 §6.2.1).
 *
 * <p>{@link RtcpParser#split} must return packets that tile the datagram exactly, or throw
 * {@link RtcpParseException}; the field readers (NACK list, media SSRC, SR NTP) never throw on a
 * split packet. Round trip: an SR or RR rebuilt by {@link RtcpWriter} from the fields of a parsed
 * one splits again into the report plus SDES with the same sender SSRC and timestamps.
 */
class RtcpFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void split(byte[] input) {
    List<RtcpHeader> packets;
    try {
      packets = RtcpParser.split(input, 0, input.length);
    } catch (RtcpParseException e) {
      Fuzz.check(e.getMessage() != null, "RtcpParseException without a message");
      return;
    }
    int expectedOffset = 0;
    for (RtcpHeader h : packets) {
      Fuzz.check(h.offset() == expectedOffset && h.length() >= 4, "packets do not tile the datagram");
      expectedOffset += h.length();
      List<Integer> lost = RtcpParser.nackedSequences(input, h);
      Fuzz.check(lost.size() <= 17 * (h.length() / 4), "more NACKed sequences than the packet can list");
      RtcpParser.mediaSsrc(input, h);
      long ntp = RtcpParser.senderReportMiddleNtp(input, h);
      if (ntp >= 0) {
        senderReportRoundTrip(input, h, ntp);
      }
      if (h.packetType() == RtcpHeader.RR && h.count() >= 1 && h.length() >= 32) {
        receiverReportRoundTrip(input, h);
      }
    }
    Fuzz.check(expectedOffset == input.length, "packets cover " + expectedOffset + " of " + input.length + " bytes");
  }

  private static void senderReportRoundTrip(byte[] input, RtcpHeader h, long middleNtp) {
    ByteBuffer b = ByteBuffer.wrap(input, h.offset(), h.length());
    long ntp = b.getLong(h.offset() + 8);
    long rtp = b.getInt(h.offset() + 16) & 0xFFFFFFFFL;
    byte[] sr = RtcpWriter.senderReport(h.senderSsrc(), ntp, rtp, b.getInt(h.offset() + 20) & 0xFFFFFFFFL,
        b.getInt(h.offset() + 24) & 0xFFFFFFFFL, "fuzz");
    List<RtcpHeader> back = resplit(sr);
    Fuzz.check(back.size() == 2 && back.get(0).packetType() == RtcpHeader.SR
        && back.get(1).packetType() == RtcpHeader.SDES, "SR round trip is not SR+SDES");
    Fuzz.check(back.get(0).senderSsrc() == h.senderSsrc(), "SR sender SSRC changed");
    Fuzz.check(RtcpParser.senderReportMiddleNtp(sr, back.get(0)) == middleNtp, "SR NTP changed");
  }

  private static void receiverReportRoundTrip(byte[] input, RtcpHeader h) {
    ByteBuffer b = ByteBuffer.wrap(input);
    int at = h.offset() + 8;
    int lossWord = b.getInt(at + 4);
    int cumulative = (lossWord << 8) >> 8; // 24-bit signed
    RtcpWriter.ReportBlock block = new RtcpWriter.ReportBlock(b.getInt(at), lossWord >>> 24, cumulative,
        b.getInt(at + 8) & 0xFFFFFFFFL, b.getInt(at + 12) & 0xFFFFFFFFL, b.getInt(at + 16) & 0xFFFFFFFFL,
        b.getInt(at + 20) & 0xFFFFFFFFL);
    byte[] rr = RtcpWriter.receiverReport(h.senderSsrc(), block, "fuzz");
    List<RtcpHeader> back = resplit(rr);
    Fuzz.check(back.size() == 2 && back.get(0).packetType() == RtcpHeader.RR && back.get(0).count() == 1,
        "RR round trip is not RR(1 block)+SDES");
    for (int i = 0; i < 24; i++) {
      Fuzz.check(rr[8 + i] == input[at + i], "report block byte " + i + " changed in round trip");
    }
  }

  private static List<RtcpHeader> resplit(byte[] written) {
    try {
      return RtcpParser.split(written, 0, written.length);
    } catch (RtcpParseException e) {
      throw new AssertionError("RtcpWriter output does not split: " + e.getMessage(), e);
    }
  }
}
