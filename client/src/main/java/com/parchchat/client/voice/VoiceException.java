package com.parchchat.client.voice;

/** A voice operation failed (libwebrtc refused a description, a step timed out, the call is closed). */
public class VoiceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public VoiceException(String message) {
    super(message);
  }

  public VoiceException(String message, Throwable cause) {
    super(message, cause);
  }
}
