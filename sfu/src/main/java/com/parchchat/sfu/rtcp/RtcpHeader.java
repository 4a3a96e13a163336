package com.parchchat.sfu.rtcp;

/**
 * One RTCP packet inside a compound datagram (RFC 3550 §6.4, RFC 4585 §6.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  RC/FMT |      PT       |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param count report count or feedback message type (FMT)
 * @param offset absolute offset of this packet's first byte in the datagram
 * @param length bytes of this packet, header included ((length field + 1) * 4)
 */
public record RtcpHeader(int count, int packetType, int senderSsrc, int offset, int length) {
  public static final int SR = 200;
  public static final int RR = 201;
  public static final int SDES = 202;
  public static final int BYE = 203;
  public static final int RTPFB = 205;
  public static final int PSFB = 206;
}
