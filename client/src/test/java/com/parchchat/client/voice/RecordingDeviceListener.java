package com.parchchat.client.voice;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what a {@link VoiceDeviceListener} is told, one line per notice ({@code fallback MICROPHONE
 * mic_high DEVICE_GONE}, {@code restored MICROPHONE mic_high}), for tests to wait on.
 */
final class RecordingDeviceListener implements VoiceDeviceListener {
  final List<String> told = new CopyOnWriteArrayList<>();

  @Override
  public void onFallbackToDefault(Kind kind, String device, VoiceDeviceException why) {
    told.add("fallback " + kind + " " + device + " " + why.reason());
  }

  @Override
  public void onRestored(Kind kind, String device) {
    told.add("restored " + kind + " " + device);
  }
}
