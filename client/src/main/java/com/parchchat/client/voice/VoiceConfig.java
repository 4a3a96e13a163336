package com.parchchat.client.voice;

import java.time.Duration;

/**
 * Settings of the voice engine, validated at construction.
 *
 * @param audioMode           {@link AudioMode#DEVICE} for real microphone/speakers (PulseAudio), or
 *                            {@link AudioMode#HEADLESS} (tests, servers); DEVICE falls back to HEADLESS when
 *                            no PulseAudio server is reachable, because webrtc-java's device module aborts
 *                            the JVM without one
 * @param echoCancellation    libwebrtc AEC on the device capture path
 * @param noiseSuppression    libwebrtc noise suppression on the device capture path
 * @param gainControl         libwebrtc automatic gain control on the device capture path
 * @param highPassFilter      libwebrtc high-pass filter on the device capture path
 * @param vadThreshold        voice-activity threshold, 0..1 of full scale RMS: below it the local user
 *                            does not count as speaking (and a synthetic input is gated to silence)
 * @param negotiationTimeout  bound on each SDP step and on waiting for ICE gathering
 * @param statsInterval       how often quality and speaking state are sampled
 * @param maxRejoinAttempts   automatic rejoins after ICE failure or a lost SFU connection (0 = never)
 * @param rejoinBaseDelay     first rejoin delay; doubles per attempt, with jitter
 */
public record VoiceConfig(AudioMode audioMode, boolean echoCancellation, boolean noiseSuppression,
    boolean gainControl, boolean highPassFilter, double vadThreshold, Duration negotiationTimeout,
    Duration statsInterval, int maxRejoinAttempts, Duration rejoinBaseDelay) {

  public VoiceConfig {
    if (audioMode == null) {
      throw new IllegalArgumentException("voice.audioMode is required");
    }
    if (!(vadThreshold >= 0 && vadThreshold < 1)) {
      throw new IllegalArgumentException("voice.vadThreshold must be in [0, 1): " + vadThreshold);
    }
    requirePositive(negotiationTimeout, "voice.negotiationTimeout");
    requirePositive(statsInterval, "voice.statsInterval");
    requirePositive(rejoinBaseDelay, "voice.rejoinBaseDelay");
    if (maxRejoinAttempts < 0 || maxRejoinAttempts > 100) {
      throw new IllegalArgumentException("voice.maxRejoinAttempts must be 0..100: " + maxRejoinAttempts);
    }
  }

  private static void requirePositive(Duration d, String key) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration");
    }
  }

  /** Desktop defaults: real devices, all audio processing on, a low VAD threshold. */
  public static VoiceConfig desktop() {
    return new VoiceConfig(AudioMode.DEVICE, true, true, true, true, 0.01, Duration.ofSeconds(10),
        Duration.ofMillis(500), 10, Duration.ofMillis(500));
  }

  /** Headless defaults for tests and bots. */
  public static VoiceConfig headless() {
    return new VoiceConfig(AudioMode.HEADLESS, false, false, false, false, 0.01, Duration.ofSeconds(10),
        Duration.ofMillis(250), 8, Duration.ofMillis(200));
  }

  public VoiceConfig withAudioMode(AudioMode mode) {
    return new VoiceConfig(mode, echoCancellation, noiseSuppression, gainControl, highPassFilter, vadThreshold,
        negotiationTimeout, statsInterval, maxRejoinAttempts, rejoinBaseDelay);
  }

  public VoiceConfig withRejoins(int maxAttempts, Duration baseDelay) {
    return new VoiceConfig(audioMode, echoCancellation, noiseSuppression, gainControl, highPassFilter, vadThreshold,
        negotiationTimeout, statsInterval, maxAttempts, baseDelay);
  }

  public VoiceConfig withVadThreshold(double threshold) {
    return new VoiceConfig(audioMode, echoCancellation, noiseSuppression, gainControl, highPassFilter, threshold,
        negotiationTimeout, statsInterval, maxRejoinAttempts, rejoinBaseDelay);
  }
}
