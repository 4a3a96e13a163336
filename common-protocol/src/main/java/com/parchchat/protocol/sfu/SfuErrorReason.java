package com.parchchat.protocol.sfu;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The precise cause carried next to the generic {@link com.parchchat.protocol.signal.ErrorCode} in an
 * SFU {@code error} frame, so a client can tell an expired token (ask the relay for a new one) from a
 * full room. Wire strings are stable.
 */
public enum SfuErrorReason {
  /** Token missing, malformed, or its signature, issuer or audience is wrong. */
  TOKEN_INVALID("token_invalid"),
  /** Token's {@code exp} has passed. */
  TOKEN_EXPIRED("token_expired"),
  /** Token is for another room than the one named in {@code join}. */
  TOKEN_WRONG_ROOM("token_wrong_room"),
  /** The room has reached its capacity. */
  ROOM_FULL("room_full"),
  /** A frame that needs a joined session arrived before {@code join}. */
  NOT_JOINED("not_joined"),
  /** {@code join} on a connection that already joined. */
  ALREADY_JOINED("already_joined"),
  /** The SDP answer is malformed or does not fit the offer. */
  SDP_INVALID("sdp_invalid"),
  /** An answer for an offer revision that is not the outstanding one. */
  STALE_ANSWER("stale_answer"),
  /** Malformed, unknown or oversize frame. */
  BAD_FRAME("bad_frame"),
  /** Unexpected failure inside the SFU. */
  INTERNAL("internal");

  private final String wire;

  SfuErrorReason(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator
  public static SfuErrorReason fromWire(String wire) {
    for (SfuErrorReason r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown SFU error reason");
  }
}
