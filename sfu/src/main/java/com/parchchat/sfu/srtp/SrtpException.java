package com.parchchat.sfu.srtp;

/** An SRTP/SRTCP packet failed authentication, replay checks or framing; the packet is dropped. */
public final class SrtpException extends Exception {
  private static final long serialVersionUID = 1L;

  public SrtpException(String message) {
    super(message, null, false, false);
  }
}
