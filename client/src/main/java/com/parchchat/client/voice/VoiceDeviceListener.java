package com.parchchat.client.voice;

/**
 * Hears what happens to the chosen microphone and speaker after the choice was made (see
 * {@link VoiceEngine#setDeviceListener}). Called on the engine's device thread; hand work to the UI thread.
 */
public interface VoiceDeviceListener {

  /** Which side a device is on. */
  enum Kind { MICROPHONE, SPEAKER }

  /**
   * The chosen device went away (unplugged, module unloaded) or could not be used: the call now uses the
   * system's default {@code kind}. The choice is kept and applied again when the device comes back.
   */
  default void onFallbackToDefault(Kind kind, String device, VoiceDeviceException why) {
  }

  /** The chosen device is back and our stream was moved onto it again. */
  default void onRestored(Kind kind, String device) {
  }
}
