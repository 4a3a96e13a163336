package com.parchchat.sfu.rtp;

/**
 * A bounds-checked view of one plain RTP packet (RFC 3550 §5.1) in a byte array.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |  (if X)
 * |                        header extension                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Header extensions use RFC 8285 one-byte (0xBEDE) or two-byte (0x100x) elements.
 * The view does not copy; the payload is {@code [payloadOffset, payloadOffset + payloadLength)}
 * and excludes padding.
 */
public final class RtpPacket {
  public static final int FIXED_HEADER = 12;
  public static final int ONE_BYTE_PROFILE = 0xBEDE;

  private final byte[] buf;
  private final int offset;
  private final int length;
  private final boolean marker;
  private final int payloadType;
  private final int sequence;
  private final long timestamp;
  private final int ssrc;
  private final int extProfile;
  private final int extOffset;
  private final int extLength;
  private final int payloadOffset;
  private final int payloadLength;

  private RtpPacket(byte[] buf, int offset, int length, boolean marker, int payloadType, int sequence,
      long timestamp, int ssrc, int extProfile, int extOffset, int extLength, int payloadOffset,
      int payloadLength) {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.marker = marker;
    this.payloadType = payloadType;
    this.sequence = sequence;
    this.timestamp = timestamp;
    this.ssrc = ssrc;
    this.extProfile = extProfile;
    this.extOffset = extOffset;
    this.extLength = extLength;
    this.payloadOffset = payloadOffset;
    this.payloadLength = payloadLength;
  }

  /** Parses {@code buf[offset, offset+length)}; every length field is checked against the datagram size. */
  public static RtpPacket parse(byte[] buf, int offset, int length) throws RtpParseException {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new RtpParseException("range outside buffer");
    }
    if (length < FIXED_HEADER) {
      throw new RtpParseException("shorter than the 12-byte RTP header: " + length);
    }
    int b0 = buf[offset] & 0xFF;
    if ((b0 >>> 6) != 2) {
      throw new RtpParseException("RTP version is not 2");
    }
    boolean padding = (b0 & 0x20) != 0;
    boolean extension = (b0 & 0x10) != 0;
    int csrcCount = b0 & 0x0F;
    int b1 = buf[offset + 1] & 0xFF;
    int pos = FIXED_HEADER + 4 * csrcCount;
    if (pos > length) {
      throw new RtpParseException("CSRC list exceeds packet");
    }
    int extProfile = -1;
    int extOffset = -1;
    int extLength = 0;
    if (extension) {
      if (pos + 4 > length) {
        throw new RtpParseException("extension header exceeds packet");
      }
      extProfile = u16(buf, offset + pos);
      extLength = 4 * u16(buf, offset + pos + 2);
      extOffset = offset + pos + 4;
      pos += 4 + extLength;
      if (pos > length) {
        throw new RtpParseException("extension length exceeds packet");
      }
    }
    int end = length;
    if (padding) {
      int pad = buf[offset + length - 1] & 0xFF;
      if (pad == 0 || pos + pad > length) {
        throw new RtpParseException("bad padding length " + pad);
      }
      end -= pad;
    }
    return new RtpPacket(buf, offset, length, (b1 & 0x80) != 0, b1 & 0x7F, u16(buf, offset + 2),
        u32(buf, offset + 4), (int) u32(buf, offset + 8), extProfile, extOffset, extLength,
        offset + pos, end - pos);
  }

  /** RFC 5761 §4: RTCP packet types 192–223 share the first byte range; PT 64–95 means RTCP. */
  public static boolean looksLikeRtcp(byte[] buf, int offset, int length) {
    if (length < 2) {
      return false;
    }
    int pt = buf[offset + 1] & 0xFF;
    return pt >= 192 && pt <= 223;
  }

  /**
   * Finds the value of header extension element {@code id} (RFC 8285 §4.2 one-byte or §4.3
   * two-byte form). Returns {@code -1} when absent; otherwise the offset of the element's data in
   * {@link #buffer()}, with its length available through {@link #extensionLength(int)}.
   */
  public int findExtension(int id) {
    if (extOffset < 0 || id <= 0) {
      return -1;
    }
    boolean oneByte = extProfile == ONE_BYTE_PROFILE;
    boolean twoByte = (extProfile & 0xFFF0) == 0x1000;
    if (!oneByte && !twoByte) {
      return -1;
    }
    int p = extOffset;
    int end = extOffset + extLength;
    while (p < end) {
      int b = buf[p] & 0xFF;
      if (b == 0) { // padding between elements
        p++;
        continue;
      }
      int elemId;
      int elemLen;
      int dataStart;
      if (oneByte) {
        elemId = b >>> 4;
        elemLen = (b & 0x0F) + 1;
        if (elemId == 15) {
          return -1; // RFC 8285 §4.2: id 15 stops processing
        }
        dataStart = p + 1;
      } else {
        if (p + 2 > end) {
          return -1;
        }
        elemId = b;
        elemLen = buf[p + 1] & 0xFF;
        dataStart = p + 2;
      }
      if (dataStart + elemLen > end) {
        return -1;
      }
      if (elemId == id) {
        lastExtLength = elemLen;
        return dataStart;
      }
      p = dataStart + elemLen;
    }
    return -1;
  }

  private int lastExtLength;

  /** Length of the element found by the last successful {@link #findExtension(int)}. */
  public int extensionLength(int dataOffset) {
    return dataOffset < 0 ? 0 : lastExtLength;
  }

  /**
   * RFC 6464 audio level: returns {@code 0..127} (−dBov, 127 = silence) or {@code -1} when the
   * packet does not carry extension {@code id}.
   */
  public int audioLevel(int id) {
    int at = findExtension(id);
    if (at < 0 || lastExtLength < 1) {
      return -1;
    }
    return buf[at] & 0x7F;
  }

  /** RFC 6464 voice-activity flag; false when absent. */
  public boolean voiceActivity(int id) {
    int at = findExtension(id);
    return at >= 0 && lastExtLength >= 1 && (buf[at] & 0x80) != 0;
  }

  public byte[] buffer() {
    return buf;
  }

  public int offset() {
    return offset;
  }

  public int length() {
    return length;
  }

  public boolean marker() {
    return marker;
  }

  public int payloadType() {
    return payloadType;
  }

  public int sequence() {
    return sequence;
  }

  public long timestamp() {
    return timestamp;
  }

  public int ssrc() {
    return ssrc;
  }

  public int payloadOffset() {
    return payloadOffset;
  }

  public int payloadLength() {
    return payloadLength;
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8)
        | (b[at + 3] & 0xFF);
  }
}
