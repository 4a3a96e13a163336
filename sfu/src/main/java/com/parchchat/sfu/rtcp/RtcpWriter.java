package com.parchchat.sfu.rtcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds the RTCP the SFU originates: sender reports for each stream it sends to a subscriber,
 * receiver reports for each publisher's stream, each compound with an SDES CNAME (RFC 3550 §6.1
 * requires SR/RR first, then SDES).
 */
public final class RtcpWriter {
  private RtcpWriter() {}

  /** One RFC 3550 §6.4.1 report block. */
  public record ReportBlock(int ssrc, int fractionLost, int cumulativeLost, long extendedHighestSeq,
      long jitter, long lastSr, long delaySinceLastSr) {}

  /**
   * RFC 3550 §6.4.1 SR without report blocks, followed by SDES CNAME.
   *
   * <pre>
   * |V=2|P|    RC   |   PT=SR=200   |             length            |
   * |                         SSRC of sender                        |
   * |              NTP timestamp, most significant word             |
   * |             NTP timestamp, least significant word             |
   * |                         RTP timestamp                         |
   * |                     sender's packet count                     |
   * |                      sender's octet count                     |
   * </pre>
   */
  public static byte[] senderReport(int ssrc, long ntp, long rtpTimestamp, long packets, long octets,
      String cname) {
    byte[] sdes = sdes(ssrc, cname);
    ByteBuffer b = ByteBuffer.allocate(28 + sdes.length + 16 + 4 + 16);
    b.put((byte) 0x80).put((byte) RtcpHeader.SR).putShort((short) 6);
    b.putInt(ssrc).putLong(ntp).putInt((int) rtpTimestamp).putInt((int) packets).putInt((int) octets);
    b.put(sdes);
    return trim(b);
  }

  /** RFC 3550 §6.4.2 RR with one block, followed by SDES CNAME. */
  public static byte[] receiverReport(int ssrc, ReportBlock block, String cname) {
    byte[] sdes = sdes(ssrc, cname);
    ByteBuffer b = ByteBuffer.allocate(8 + 24 + sdes.length + 16 + 4 + 16);
    b.put((byte) 0x81).put((byte) RtcpHeader.RR).putShort((short) 7).putInt(ssrc);
    b.putInt(block.ssrc());
    int cum = Math.max(-0x800000, Math.min(0x7FFFFF, block.cumulativeLost()));
    b.putInt(((block.fractionLost() & 0xFF) << 24) | (cum & 0xFFFFFF));
    b.putInt((int) block.extendedHighestSeq()).putInt((int) block.jitter());
    b.putInt((int) block.lastSr()).putInt((int) block.delaySinceLastSr());
    b.put(sdes);
    return trim(b);
  }

  /** RFC 3550 §6.5: one chunk with a CNAME item, null-terminated and padded to 32 bits. */
  static byte[] sdes(int ssrc, String cname) {
    byte[] name = cname.getBytes(StandardCharsets.UTF_8);
    int nameLen = Math.min(name.length, 255);
    int chunk = 4 + 2 + nameLen + 1;
    int padded = (chunk + 3) & ~3;
    ByteBuffer b = ByteBuffer.allocate(4 + padded);
    b.put((byte) 0x81).put((byte) RtcpHeader.SDES).putShort((short) (padded / 4));
    b.putInt(ssrc).put((byte) 1).put((byte) nameLen).put(name, 0, nameLen);
    return b.array(); // remaining bytes are zero: the terminating null item and padding
  }

  private static byte[] trim(ByteBuffer b) {
    byte[] out = new byte[b.position()];
    System.arraycopy(b.array(), 0, out, 0, out.length);
    return out;
  }

  /** RFC 5905 NTP format of a wall-clock instant (seconds since 1900 in the high 32 bits). */
  public static long ntpTime(long epochMillis) {
    long seconds = epochMillis / 1000 + 2_208_988_800L;
    long fraction = ((epochMillis % 1000) << 32) / 1000;
    return (seconds << 32) | fraction;
  }
}
