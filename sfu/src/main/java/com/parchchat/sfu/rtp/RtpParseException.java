package com.parchchat.sfu.rtp;

/** A datagram that is not a well-formed RTP packet; thrown by {@link RtpPacket#parse}, never from deep inside. */
public final class RtpParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public RtpParseException(String message) {
    super(message, null, false, false);
  }
}
