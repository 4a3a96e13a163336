package com.parchchat.protocol.stun;

import static com.parchchat.protocol.stun.StunParseException.Reason.ATTRIBUTE_TRUNCATED;
import static com.parchchat.protocol.stun.StunParseException.Reason.BAD_MAGIC_COOKIE;
import static com.parchchat.protocol.stun.StunParseException.Reason.LENGTH_MISMATCH;
import static com.parchchat.protocol.stun.StunParseException.Reason.LENGTH_NOT_MULTIPLE_OF_4;
import static com.parchchat.protocol.stun.StunParseException.Reason.NOT_STUN;
import static com.parchchat.protocol.stun.StunParseException.Reason.TOO_MANY_ATTRIBUTES;
import static com.parchchat.protocol.stun.StunParseException.Reason.TOO_SHORT;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A STUN message (RFC 8489 §5), immutable once decoded or built.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |                     Transaction ID (96 bits)                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The decoder keeps a copy of the raw bytes and the offsets of MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, so {@link StunIntegrity} can check them
 * without re-encoding. Per RFC 8489 §14.5/§14.6 attributes that follow MESSAGE-INTEGRITY
 * (other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT) are ignored, and nothing after
 * FINGERPRINT is read.
 */
public final class StunMessage {
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int HEADER_LENGTH = 20;
  public static final int TRANSACTION_ID_LENGTH = 12;
  /** Upper bound on attributes per message; a real message carries fewer than 20. */
  public static final int MAX_ATTRIBUTES = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final int method;
  private final StunClass messageClass;
  private final byte[] transactionId;
  private final List<StunAttribute> attributes;
  private final byte[] raw;
  private final int integrityOffset;
  private final int integritySha256Offset;
  private final int fingerprintOffset;

  private StunMessage(int method, StunClass messageClass, byte[] transactionId, List<StunAttribute> attributes,
      byte[] raw, int integrityOffset, int integritySha256Offset, int fingerprintOffset) {
    this.method = method;
    this.messageClass = messageClass;
    this.transactionId = transactionId;
    this.attributes = attributes;
    this.raw = raw;
    this.integrityOffset = integrityOffset;
    this.integritySha256Offset = integritySha256Offset;
    this.fingerprintOffset = fingerprintOffset;
  }

  /**
   * Cheap demultiplexing test (RFC 7983 first byte 0–3, plus the magic cookie): true when
   * the bytes can be a STUN message. Does not validate attributes.
   */
  public static boolean isStun(byte[] b, int off, int len) {
    return b != null && off >= 0 && len >= HEADER_LENGTH && off + len <= b.length
        && (b[off] & 0xC0) == 0 && ByteWriter.u32(b, off + 4) == MAGIC_COOKIE;
  }

  public static StunMessage decode(byte[] b) throws StunParseException {
    if (b == null) {
      throw new StunParseException(TOO_SHORT, "null buffer");
    }
    return decode(b, 0, b.length);
  }

  /**
   * Decodes exactly one message occupying {@code b[off, off+len)} (a datagram, or a frame cut
   * by {@link StunFraming}). Throws only {@link StunParseException} for bad bytes.
   */
  public static StunMessage decode(byte[] b, int off, int len) throws StunParseException {
    if (b == null || off < 0 || len < 0 || off > b.length - len) {
      throw new StunParseException(TOO_SHORT, "buffer range out of bounds");
    }
    if (len < HEADER_LENGTH) {
      throw new StunParseException(TOO_SHORT, len + " bytes");
    }
    if ((b[off] & 0xC0) != 0) {
      throw new StunParseException(NOT_STUN, "first two bits not zero");
    }
    if (ByteWriter.u32(b, off + 4) != MAGIC_COOKIE) {
      throw new StunParseException(BAD_MAGIC_COOKIE, "no magic cookie");
    }
    int bodyLength = ByteWriter.u16(b, off + 2);
    if ((bodyLength & 3) != 0) {
      throw new StunParseException(LENGTH_NOT_MULTIPLE_OF_4, "length " + bodyLength);
    }
    if (bodyLength != len - HEADER_LENGTH) {
      throw new StunParseException(LENGTH_MISMATCH, "length field " + bodyLength + " but " + (len - HEADER_LENGTH)
          + " bytes follow the header");
    }
    byte[] raw = Arrays.copyOfRange(b, off, off + len);
    int type = ByteWriter.u16(raw, 0);
    byte[] txId = Arrays.copyOfRange(raw, 8, HEADER_LENGTH);
    List<StunAttribute> attrs = new ArrayList<>();
    int mi = -1;
    int mi256 = -1;
    int fp = -1;
    int p = HEADER_LENGTH;
    int count = 0;
    while (p < len) {
      if (len - p < 4) {
        throw new StunParseException(ATTRIBUTE_TRUNCATED, "attribute header at " + p);
      }
      int atype = ByteWriter.u16(raw, p);
      int alen = ByteWriter.u16(raw, p + 2);
      int valueOff = p + 4;
      if (alen > len - valueOff) {
        throw new StunParseException(ATTRIBUTE_TRUNCATED,
            String.format("attribute 0x%04x length %d at %d", atype, alen, p));
      }
      int padded = StunAttributeCodec.pad(alen);
      if (padded > len - valueOff) {
        throw new StunParseException(ATTRIBUTE_TRUNCATED,
            String.format("attribute 0x%04x padding at %d", atype, p));
      }
      if (++count > MAX_ATTRIBUTES) {
        throw new StunParseException(TOO_MANY_ATTRIBUTES, "more than " + MAX_ATTRIBUTES);
      }
      boolean take;
      if (atype == StunAttributeType.FINGERPRINT) {
        take = true;
        fp = p;
      } else if (atype == StunAttributeType.MESSAGE_INTEGRITY_SHA256) {
        take = mi256 < 0;
        if (take) {
          mi256 = p;
        }
      } else if (atype == StunAttributeType.MESSAGE_INTEGRITY) {
        take = mi < 0 && mi256 < 0;
        if (take) {
          mi = p;
        }
      } else {
        take = mi < 0 && mi256 < 0;
      }
      if (take) {
        attrs.add(StunAttributeCodec.decode(atype, raw, valueOff, alen, txId));
      }
      p = valueOff + padded;
      if (fp >= 0) {
        break;
      }
    }
    return new StunMessage(StunMethod.methodOf(type), StunMethod.classOf(type), txId,
        Collections.unmodifiableList(attrs), raw, mi, mi256, fp);
  }

  public static byte[] newTransactionId() {
    byte[] id = new byte[TRANSACTION_ID_LENGTH];
    RANDOM.nextBytes(id);
    return id;
  }

  public static Builder builder(int method, StunClass messageClass, byte[] transactionId) {
    return new Builder(method, messageClass, transactionId);
  }

  /** A response builder that copies method and transaction id from this request. */
  public Builder responseBuilder(StunClass responseClass) {
    return new Builder(method, responseClass, transactionId);
  }

  public int method() {
    return method;
  }

  public StunClass messageClass() {
    return messageClass;
  }

  public boolean is(int method, StunClass cls) {
    return this.method == method && this.messageClass == cls;
  }

  public byte[] transactionId() {
    return transactionId.clone();
  }

  /** Hex of the transaction id, handy as a map key and in logs. */
  public String transactionIdHex() {
    return HexFormat.of().formatHex(transactionId);
  }

  public List<StunAttribute> attributes() {
    return attributes;
  }

  /** The first attribute of the given record type, or null. */
  public <T extends StunAttribute> T get(Class<T> type) {
    for (StunAttribute a : attributes) {
      if (type.isInstance(a)) {
        return type.cast(a);
      }
    }
    return null;
  }

  public boolean has(Class<? extends StunAttribute> type) {
    return get(type) != null;
  }

  /** Types of comprehension-required attributes this codec does not know (for a 420 reply). */
  public List<Integer> unknownComprehensionRequired() {
    List<Integer> out = new ArrayList<>();
    for (StunAttribute a : attributes) {
      if (a instanceof StunAttribute.Unknown && StunAttributeType.isComprehensionRequired(a.type())) {
        out.add(a.type());
      }
    }
    return out;
  }

  /** The message exactly as received (or built). */
  public byte[] toBytes() {
    return raw.clone();
  }

  byte[] raw() {
    return raw;
  }

  int integrityOffset() {
    return integrityOffset;
  }

  int integritySha256Offset() {
    return integritySha256Offset;
  }

  int fingerprintOffset() {
    return fingerprintOffset;
  }

  @Override
  public String toString() {
    return StunMethod.name(method) + " " + messageClass + " tx=" + transactionIdHex() + " " + attributes;
  }

  /**
   * Builds a message. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
   * appended last, in that order, when requested (RFC 8489 §14.5–§14.7).
   */
  public static final class Builder {
    private final int method;
    private final StunClass messageClass;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes = new ArrayList<>();
    private byte[] integrityKey;
    private byte[] integritySha256Key;
    private boolean fingerprint;

    private Builder(int method, StunClass messageClass, byte[] transactionId) {
      if (method < 0 || method > 0xFFF) {
        throw new IllegalArgumentException("method is 12 bits: " + method);
      }
      this.method = method;
      this.messageClass = Objects.requireNonNull(messageClass);
      if (transactionId == null || transactionId.length != TRANSACTION_ID_LENGTH) {
        throw new IllegalArgumentException("transaction id is 12 bytes");
      }
      this.transactionId = transactionId.clone();
    }

    public Builder add(StunAttribute attribute) {
      attributes.add(Objects.requireNonNull(attribute));
      return this;
    }

    /** Append MESSAGE-INTEGRITY (HMAC-SHA1) keyed with a key from {@link StunIntegrity}. */
    public Builder integrity(byte[] key) {
      this.integrityKey = key.clone();
      return this;
    }

    /** Append MESSAGE-INTEGRITY-SHA256 (full 32 bytes). */
    public Builder integritySha256(byte[] key) {
      this.integritySha256Key = key.clone();
      return this;
    }

    /** Append FINGERPRINT. */
    public Builder fingerprint() {
      this.fingerprint = true;
      return this;
    }

    public byte[] encode() {
      ByteWriter w = new ByteWriter(HEADER_LENGTH + 64 * (attributes.size() + 1));
      w.u16(StunMethod.messageType(method, messageClass));
      w.u16(0);
      w.u32(MAGIC_COOKIE);
      w.bytes(transactionId);
      for (StunAttribute a : attributes) {
        writeAttribute(w, a);
      }
      if (integrityKey != null) {
        w.setU16(2, w.position() - HEADER_LENGTH + 24);
        byte[] mac = StunIntegrity.hmac(StunIntegrity.HMAC_SHA1, integrityKey, w.array(), w.position());
        writeAttribute(w, new StunAttribute.MessageIntegrity(mac));
      }
      if (integritySha256Key != null) {
        w.setU16(2, w.position() - HEADER_LENGTH + 36);
        byte[] mac = StunIntegrity.hmac(StunIntegrity.HMAC_SHA256, integritySha256Key, w.array(), w.position());
        writeAttribute(w, new StunAttribute.MessageIntegritySha256(mac));
      }
      if (fingerprint) {
        w.setU16(2, w.position() - HEADER_LENGTH + 8);
        writeAttribute(w, new StunAttribute.Fingerprint(StunIntegrity.fingerprint(w.array(), w.position())));
      }
      int bodyLength = w.position() - HEADER_LENGTH;
      if (bodyLength > 0xFFFF) {
        throw new IllegalStateException("STUN message too long: " + bodyLength);
      }
      w.setU16(2, bodyLength);
      return w.toByteArray();
    }

    /** Encodes and decodes again, for callers that want the message object too. */
    public StunMessage build() {
      byte[] bytes = encode();
      try {
        return decode(bytes);
      } catch (StunParseException e) {
        throw new IllegalStateException("encoder produced undecodable bytes", e);
      }
    }

    private void writeAttribute(ByteWriter w, StunAttribute a) {
      w.u16(a.type());
      int lengthAt = w.position();
      w.u16(0);
      int start = w.position();
      StunAttributeCodec.encodeValue(a, w, transactionId);
      int len = w.position() - start;
      if (len > 0xFFFF) {
        throw new IllegalStateException("attribute too long");
      }
      w.setU16(lengthAt, len);
      w.zeros(StunAttributeCodec.pad(len) - len);
    }
  }
}
