package com.parchchat.client.voice;

/**
 * Where the local voice comes from.
 *
 * <ul>
 *   <li>{@link #microphone()}: the selected capture device, through libwebrtc's audio processing
 *       (echo cancellation, noise suppression, gain control as configured);</li>
 *   <li>{@link #tone(double)}: a synthetic sine that the headless audio module captures every 10 ms in
 *       place of a sound card — for headless clients in tests and bots, where it stands in for a voice.
 *       It goes through the same audio processing as a microphone. Headless mode only; one frequency
 *       per engine. {@link VoiceEngine#setToneSpeaking} switches it to
 *       room noise and back (an open microphone while its user listens).</li>
 * </ul>
 */
public sealed interface VoiceInput {

  static VoiceInput microphone() {
    return new Microphone();
  }

  static VoiceInput tone(double frequencyHz) {
    return new Tone(frequencyHz);
  }

  /** The selected capture device. */
  record Microphone() implements VoiceInput {
  }

  /** A sine tone at {@code frequencyHz}, amplitude −6 dBFS. */
  record Tone(double frequencyHz) implements VoiceInput {
    public Tone {
      if (!(frequencyHz > 0 && frequencyHz < 24_000)) {
        throw new IllegalArgumentException("tone frequency must be in (0, 24000) Hz: " + frequencyHz);
      }
    }
  }
}
