package com.parchchat.sfu.rtcp;

/** A compound RTCP datagram that breaks RFC 3550 §6.1 framing; the whole datagram is dropped. */
public final class RtcpParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public RtcpParseException(String message) {
    super(message, null, false, false);
  }
}
