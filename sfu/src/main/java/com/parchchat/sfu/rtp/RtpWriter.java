package com.parchchat.sfu.rtp;

/**
 * Builds the packet a subscriber receives: a fresh RTP header (RFC 3550 §5.1) with that
 * subscriber's payload type, the SFU's outgoing SSRC and sequence number, and only the header
 * extensions the subscriber negotiated, each under the subscriber's own extension id (RFC 8285
 * one-byte form). The payload is copied unchanged: the SFU never decodes audio.
 */
public final class RtpWriter {
  private RtpWriter() {}

  /**
   * Writes the rewritten packet into {@code out} at 0 and returns its length. {@code out} must have
   * room for {@link #maxLength(RtpPacket)} bytes plus the SRTP trailer the caller adds later.
   *
   * @param audioLevelId subscriber's id for ssrc-audio-level, or 0 to drop the extension
   * @param audioLevelByte the publisher's level byte (V flag + level), or -1 if the packet had none
   */
  public static int write(RtpPacket in, byte[] out, int payloadType, int sequence, long timestamp,
      int ssrc, int audioLevelId, int audioLevelByte) {
    boolean withLevel = audioLevelId > 0 && audioLevelId < 15 && audioLevelByte >= 0;
    out[0] = (byte) (0x80 | (withLevel ? 0x10 : 0));
    out[1] = (byte) ((in.marker() ? 0x80 : 0) | (payloadType & 0x7F));
    out[2] = (byte) (sequence >>> 8);
    out[3] = (byte) sequence;
    out[4] = (byte) (timestamp >>> 24);
    out[5] = (byte) (timestamp >>> 16);
    out[6] = (byte) (timestamp >>> 8);
    out[7] = (byte) timestamp;
    out[8] = (byte) (ssrc >>> 24);
    out[9] = (byte) (ssrc >>> 16);
    out[10] = (byte) (ssrc >>> 8);
    out[11] = (byte) ssrc;
    int pos = RtpPacket.FIXED_HEADER;
    if (withLevel) {
      // RFC 8285 §4.2: 0xBEDE, length 1 word; element: id<<4 | (len-1)=0, level byte, 2 pad bytes
      out[pos++] = (byte) 0xBE;
      out[pos++] = (byte) 0xDE;
      out[pos++] = 0;
      out[pos++] = 1;
      out[pos++] = (byte) (audioLevelId << 4);
      out[pos++] = (byte) audioLevelByte;
      out[pos++] = 0;
      out[pos++] = 0;
    }
    System.arraycopy(in.buffer(), in.payloadOffset(), out, pos, in.payloadLength());
    return pos + in.payloadLength();
  }

  /** Upper bound of {@link #write}'s output for {@code in}. */
  public static int maxLength(RtpPacket in) {
    return RtpPacket.FIXED_HEADER + 8 + in.payloadLength();
  }
}
