package com.parchchat.sfu.sdp;

/** Malformed or unacceptable SDP; the message names the line or the rule broken. */
public final class SdpParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public SdpParseException(String message) {
    super(message, null, false, false);
  }
}
