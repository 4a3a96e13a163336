package com.parchchat.protocol.stun;

/**
 * The two class bits C1 C0 of a STUN message type (RFC 8489 §5): request, indication,
 * success response or error response.
 */
public enum StunClass {
  REQUEST(0b00),
  INDICATION(0b01),
  SUCCESS_RESPONSE(0b10),
  ERROR_RESPONSE(0b11);

  private static final StunClass[] BY_BITS = {REQUEST, INDICATION, SUCCESS_RESPONSE, ERROR_RESPONSE};

  private final int bits;

  StunClass(int bits) {
    this.bits = bits;
  }

  /** The value of C1 C0 as a two-bit number. */
  public int bits() {
    return bits;
  }

  static StunClass ofBits(int bits) {
    return BY_BITS[bits & 0b11];
  }

  public boolean isResponse() {
    return this == SUCCESS_RESPONSE || this == ERROR_RESPONSE;
  }
}
