package com.parchchat.sfu.signal;

import com.parchchat.protocol.sfu.SfuErrorReason;

/** A refused SFU token; {@link #reason()} says why (invalid, expired, wrong room). */
public final class TokenException extends Exception {
  private static final long serialVersionUID = 1L;
  private final SfuErrorReason reason;

  public TokenException(SfuErrorReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public SfuErrorReason reason() {
    return reason;
  }
}
