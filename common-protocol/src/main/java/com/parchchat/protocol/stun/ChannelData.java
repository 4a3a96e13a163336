package com.parchchat.protocol.stun;

import static com.parchchat.protocol.stun.StunParseException.Reason.LENGTH_MISMATCH;
import static com.parchchat.protocol.stun.StunParseException.Reason.NOT_CHANNEL_DATA;
import static com.parchchat.protocol.stun.StunParseException.Reason.TOO_SHORT;

import java.util.Arrays;

/**
 * A ChannelData message, RFC 8656 §12.4: 4 bytes of header instead of a 36-byte Send/Data
 * indication.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Channel Number        |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * /                       Application Data                        /
 * /                                                               /
 * |                                                               |
 * |                               +-------------------------------+
 * |                               |
 * +-------------------------------+
 * </pre>
 * Padding (RFC 8656 §12.5): over TCP the message MUST be padded to a multiple of 4 bytes
 * (the padding is not counted in Length); over UDP padding is optional, so a UDP decoder
 * accepts 0–3 trailing bytes. Channel numbers 0x4000–0x4FFF are valid; 0x5000–0x7FFF are
 * reserved but are still ChannelData by their first two bits ({@link #isValidChannel}).
 *
 * @param channel the 16-bit channel number
 * @param data the application data (not copied: treat as owned by the message)
 */
public record ChannelData(int channel, byte[] data) {
  public static final int HEADER_LENGTH = 4;
  public static final int MIN_CHANNEL = 0x4000;
  public static final int MAX_CHANNEL = 0x4FFF;

  public ChannelData {
    if (channel < 0x4000 || channel > 0x7FFF) {
      throw new IllegalArgumentException("ChannelData channel must start with bits 01: " + channel);
    }
    if (data.length > 0xFFFF) {
      throw new IllegalArgumentException("ChannelData longer than 65535 bytes");
    }
  }

  /** True for the channel numbers a client may bind (RFC 8656 §12). */
  public static boolean isValidChannel(int channel) {
    return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
  }

  /** RFC 7983-style demux: the first two bits are 01. */
  public static boolean isChannelData(byte[] b, int off, int len) {
    return b != null && off >= 0 && len >= HEADER_LENGTH && off + len <= b.length && (b[off] & 0xC0) == 0x40;
  }

  /** Decodes one ChannelData message from exactly {@code b[off, off+len)} (UDP rules: 0–3 padding bytes). */
  public static ChannelData decode(byte[] b, int off, int len) throws StunParseException {
    if (b == null || off < 0 || len < 0 || off > b.length - len) {
      throw new StunParseException(TOO_SHORT, "buffer range out of bounds");
    }
    if (len < HEADER_LENGTH) {
      throw new StunParseException(TOO_SHORT, len + " bytes");
    }
    int channel = ByteWriter.u16(b, off);
    if ((channel & 0xC000) != 0x4000) {
      throw new StunParseException(NOT_CHANNEL_DATA, String.format("channel 0x%04x", channel));
    }
    int dataLen = ByteWriter.u16(b, off + 2);
    int extra = len - HEADER_LENGTH - dataLen;
    if (extra < 0 || extra > 3) {
      throw new StunParseException(LENGTH_MISMATCH, "length field " + dataLen + " in " + len + " bytes");
    }
    return new ChannelData(channel, Arrays.copyOfRange(b, off + HEADER_LENGTH, off + HEADER_LENGTH + dataLen));
  }

  /** Encoded size; {@code padded} rounds up to 4 bytes as TCP requires. */
  public static int encodedLength(int dataLength, boolean padded) {
    int n = HEADER_LENGTH + dataLength;
    return padded ? (n + 3) & ~3 : n;
  }

  /** Writes the 4-byte header into {@code out[at, at+4)}. */
  public static void writeHeader(byte[] out, int at, int channel, int dataLength) {
    out[at] = (byte) (channel >>> 8);
    out[at + 1] = (byte) channel;
    out[at + 2] = (byte) (dataLength >>> 8);
    out[at + 3] = (byte) dataLength;
  }

  /** Encodes this message; {@code padded} for TCP/TLS transports. */
  public byte[] encode(boolean padded) {
    byte[] out = new byte[encodedLength(data.length, padded)];
    writeHeader(out, 0, channel, data.length);
    System.arraycopy(data, 0, out, HEADER_LENGTH, data.length);
    return out;
  }
}
