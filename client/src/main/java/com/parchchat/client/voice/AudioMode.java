package com.parchchat.client.voice;

/** Which audio device module the engine uses. */
public enum AudioMode {
  /** The system's microphone and speakers through PulseAudio. */
  DEVICE,
  /** No devices: playout is pulled by a timer (so received audio reaches taps), capture is synthetic. */
  HEADLESS
}
