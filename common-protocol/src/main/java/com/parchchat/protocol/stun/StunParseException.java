package com.parchchat.protocol.stun;

/**
 * The only exception the STUN/TURN decoders throw for bad bytes. A caller that feeds
 * untrusted datagrams to {@link StunMessage#decode} or {@link ChannelData#decode} catches
 * this one type and drops (or answers 400) — no index, buffer or null-pointer exception
 * escapes from the codec.
 */
public final class StunParseException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the bytes were rejected; stable, so callers can count and test them. */
  public enum Reason {
    /** Fewer bytes than a header needs. */
    TOO_SHORT,
    /** The two most significant bits are not {@code 00} (RFC 8489 §5). */
    NOT_STUN,
    /** The magic cookie is not {@code 0x2112A442}. */
    BAD_MAGIC_COOKIE,
    /** The message length is not a multiple of 4 (RFC 8489 §5). */
    LENGTH_NOT_MULTIPLE_OF_4,
    /** The length field disagrees with the number of bytes available. */
    LENGTH_MISMATCH,
    /** An attribute header or value runs past the end of the message. */
    ATTRIBUTE_TRUNCATED,
    /** An attribute's length is not allowed for its type. */
    BAD_ATTRIBUTE_LENGTH,
    /** An attribute's value is outside its allowed range. */
    BAD_ATTRIBUTE_VALUE,
    /** An address attribute carries a family other than IPv4 (1) or IPv6 (2). */
    BAD_ADDRESS_FAMILY,
    /** A text attribute is not valid UTF-8. */
    BAD_UTF8,
    /** A text attribute is longer than the RFC allows. */
    VALUE_TOO_LONG,
    /** More attributes than {@link StunMessage#MAX_ATTRIBUTES}. */
    TOO_MANY_ATTRIBUTES,
    /** A ChannelData message whose channel number is not in 0x4000–0x7FFF. */
    NOT_CHANNEL_DATA
  }

  private final Reason reason;

  public StunParseException(Reason reason, String detail) {
    super(reason + ": " + detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
