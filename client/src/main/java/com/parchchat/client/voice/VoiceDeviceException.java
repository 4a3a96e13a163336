package com.parchchat.client.voice;

/**
 * A microphone or speaker choice could not be applied; the call keeps (or falls back to) the system's
 * default device. {@link #reason()} says why, so the voice panel can tell the user what to do.
 */
public final class VoiceDeviceException extends VoiceException {

  private static final long serialVersionUID = 1L;

  /** Why a device choice failed. */
  public enum Reason {
    /** {@code pactl} (Debian {@code pulseaudio-utils}) is not installed: PulseAudio devices cannot be chosen. */
    TOOL_MISSING,
    /** The sound server did not answer (stopped, or not reachable). */
    SERVER_UNREACHABLE,
    /** The chosen device is not (or no longer) there: unplugged, or its module unloaded. */
    DEVICE_GONE,
    /** The sound server refused to move our stream, or answered in a way we cannot read. */
    COMMAND_FAILED
  }

  private final Reason reason;

  public VoiceDeviceException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public VoiceDeviceException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
