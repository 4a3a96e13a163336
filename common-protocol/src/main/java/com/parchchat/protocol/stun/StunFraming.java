package com.parchchat.protocol.stun;

import static com.parchchat.protocol.stun.StunParseException.Reason.NOT_STUN;

/**
 * Frame boundaries on a stream transport (RFC 8489 §6.2.2; RFC 8656 §12.5). Over TCP, STUN
 * messages and ChannelData messages are sent back to back with no extra framing; the first
 * two bits tell them apart: {@code 00} STUN (20-byte header + Length), {@code 01}
 * ChannelData (4-byte header + Length, padded to a multiple of 4). Anything else is not a
 * valid TURN stream and the connection should be closed.
 */
public final class StunFraming {
  /** Bytes needed before {@link #frameLength} can answer. */
  public static final int PREFIX_LENGTH = 4;

  private StunFraming() {}

  /**
   * The total length of the frame starting at {@code b[off]} given its first four bytes.
   *
   * @throws StunParseException with {@code NOT_STUN} when the first two bits are 10 or 11
   */
  public static int frameLength(int firstByte, int secondByte, int thirdByte, int fourthByte)
      throws StunParseException {
    int length = ((thirdByte & 0xFF) << 8) | (fourthByte & 0xFF);
    switch ((firstByte & 0xC0) >>> 6) {
      case 0:
        return StunMessage.HEADER_LENGTH + length;
      case 1:
        return (ChannelData.HEADER_LENGTH + length + 3) & ~3;
      default:
        throw new StunParseException(NOT_STUN, String.format("stream frame starts with 0x%02x", firstByte & 0xFF));
    }
  }
}
