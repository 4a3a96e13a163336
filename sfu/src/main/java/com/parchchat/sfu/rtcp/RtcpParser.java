package com.parchchat.sfu.rtcp;

import java.util.ArrayList;
import java.util.List;

/** Splits a plain compound RTCP datagram into packets and reads the few fields the SFU acts on. */
public final class RtcpParser {
  /** Upper bound on packets per datagram, so a hostile datagram cannot make us loop long. */
  public static final int MAX_PACKETS = 64;

  private RtcpParser() {}

  /** RFC 3550 §6.1: each packet's length field must fit inside the datagram; V must be 2. */
  public static List<RtcpHeader> split(byte[] buf, int offset, int length) throws RtcpParseException {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new RtcpParseException("range outside buffer");
    }
    List<RtcpHeader> out = new ArrayList<>(4);
    int p = offset;
    int end = offset + length;
    while (p < end) {
      if (end - p < 8) {
        throw new RtcpParseException("truncated RTCP header at " + (p - offset));
      }
      int b0 = buf[p] & 0xFF;
      if ((b0 >>> 6) != 2) {
        throw new RtcpParseException("RTCP version is not 2");
      }
      int pt = buf[p + 1] & 0xFF;
      int len = (((buf[p + 2] & 0xFF) << 8) | (buf[p + 3] & 0xFF)) * 4 + 4;
      if (p + len > end) {
        throw new RtcpParseException("RTCP length " + len + " exceeds datagram");
      }
      if (out.size() == MAX_PACKETS) {
        throw new RtcpParseException("more than " + MAX_PACKETS + " packets in one datagram");
      }
      out.add(new RtcpHeader(b0 & 0x1F, pt, (int) u32(buf, p + 4), p, len));
      p += len;
    }
    return out;
  }

  /**
   * RFC 4585 §6.2.1 Generic NACK: returns the lost sequence numbers it lists, or an empty list if the
   * packet is not a well-formed generic NACK.
   *
   * <pre>
   * |V=2|P| FMT=1 |   PT=205      |          length               |
   * |                  SSRC of packet sender                        |
   * |                  SSRC of media source                         |
   * |            PID                |             BLP               |  (repeated)
   * </pre>
   */
  public static List<Integer> nackedSequences(byte[] buf, RtcpHeader h) {
    List<Integer> out = new ArrayList<>();
    if (h.packetType() != RtcpHeader.RTPFB || h.count() != 1 || h.length() < 16) {
      return out;
    }
    for (int p = h.offset() + 12; p + 4 <= h.offset() + h.length(); p += 4) {
      int pid = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
      int blp = ((buf[p + 2] & 0xFF) << 8) | (buf[p + 3] & 0xFF);
      out.add(pid);
      for (int i = 0; i < 16; i++) {
        if ((blp & (1 << i)) != 0) {
          out.add((pid + i + 1) & 0xFFFF);
        }
      }
    }
    return out;
  }

  /** The media-source SSRC of a feedback packet (RFC 4585 §6.1), or 0 if too short. */
  public static int mediaSsrc(byte[] buf, RtcpHeader h) {
    return h.length() >= 12 ? (int) u32(buf, h.offset() + 8) : 0;
  }

  /** Middle 32 bits of an SR's NTP timestamp (RFC 3550 §6.4.1), used as LSR in receiver reports. */
  public static long senderReportMiddleNtp(byte[] buf, RtcpHeader h) {
    if (h.packetType() != RtcpHeader.SR || h.length() < 28) {
      return -1;
    }
    return u32(buf, h.offset() + 10);
  }

  static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8)
        | (b[at + 3] & 0xFF);
  }
}
