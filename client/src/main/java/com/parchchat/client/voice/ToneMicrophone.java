package com.parchchat.client.voice;

import dev.onvoid.webrtc.media.audio.AudioSource;

/**
 * A synthetic microphone for the headless audio module: a sine at −6 dBFS that the module's own capture
 * thread pulls every 10 ms, exactly where a sound card's samples would enter libwebrtc.
 *
 * <p>Why not {@code CustomAudioSource}: libwebrtc starts the module's capture whenever a send stream
 * starts (on its worker thread, at moments Java does not see), and that capture thread then calls
 * {@code AudioSendStream::SendAudioData} while {@code CustomAudioSource.pushAudio} calls it from our
 * thread; the stream's race checker ({@code audio_send_stream.cc:368}) aborts the JVM. Fed through the
 * capture path instead, one native thread is the only writer to every send stream, so there is nothing
 * to race, and the tone goes through the same audio processing (echo cancellation, noise suppression,
 * gain control) a real microphone does.
 *
 * <p>webrtc-java 0.14's headless module asks its registered {@link AudioSource} for each 10 ms capture
 * frame, then delivers the frame to libwebrtc's own audio transport. {@link VoiceEngine} registers this
 * source only after playout has started: the module's buffer then keeps libwebrtc's transport (it refuses
 * a new callback while playing) and only the capture pull is redirected here.
 *
 * <p>Open microphone while listening ({@link #setSpeaking}, for tests, bots and the voice bench): a user
 * with voice activation does not mute between turns, so while they listen a real microphone still
 * delivers the room's noise floor and capture, audio processing and the encoder (Opus DTX) keep running.
 * With speaking off this source delivers that instead of the tone: white noise at {@link #ROOM_NOISE_DBFS}
 * RMS, not digital zero, because a real microphone never delivers exact zeros and the audio processing
 * (noise suppression, gain control) and Opus' DTX decision run on real input. The voice-activity gate
 * below applies to the tone only: the engine does not gate a device microphone either.
 *
 * <p>Called on a native real-time thread: no allocation after the first call, no locks, never throws.
 */
final class ToneMicrophone implements AudioSource {

  private final double frequencyHz;
  private final boolean gated;
  private final double level;
  /** RMS of the room noise delivered while not speaking, dB relative to full scale. */
  static final double ROOM_NOISE_DBFS = -60;
  /** {@link #ROOM_NOISE_DBFS} as RMS, 0..1 of full scale. */
  static final double ROOM_NOISE_RMS = Math.pow(10, ROOM_NOISE_DBFS / 20);
  /** Peak of the uniform noise whose RMS is {@link #ROOM_NOISE_RMS} (uniform: RMS = peak / √3). */
  private static final int NOISE_PEAK = (int) Math.round(ROOM_NOISE_RMS * Math.sqrt(3) * 32768);
  /** Tone (true, the default) or room noise (false); written by any thread, read by the capture thread. */
  private volatile boolean speaking = true;
  /** xorshift32 state of the room noise (the capture thread only). */
  private int noise = 0x9E3779B9;
  /** One second of the tone at {@link #tableRate} (an integer frequency loops seamlessly). */
  private short[] table;
  private int tableRate;
  private int position;
  /** 10 ms frames the module's capture thread has pulled (it stops while nothing sends: muted). */
  private volatile long pulls;

  /**
   * @param frequencyHz  the tone
   * @param vadThreshold below this RMS (0..1 of full scale) the microphone is gated to silence, as the
   *                     voice-activity threshold would do to a quiet voice
   */
  ToneMicrophone(double frequencyHz, double vadThreshold) {
    this.frequencyHz = frequencyHz;
    double rms = 0.5 / Math.sqrt(2);
    this.gated = rms < vadThreshold;
    this.level = gated ? 0 : rms;
  }

  double frequencyHz() {
    return frequencyHz;
  }

  /** How many 10 ms frames the audio module's capture thread pulled so far. */
  long pulls() {
    return pulls;
  }

  /** RMS of what the microphone delivers, 0..1 of full scale (0 when gated, the room noise while not speaking). */
  double level() {
    return gated ? 0 : speaking ? level : ROOM_NOISE_RMS;
  }

  /**
   * True (the default): the tone, a voice. False: an open microphone in a quiet room, white noise at
   * {@link #ROOM_NOISE_DBFS} RMS. Takes effect from the next 10 ms frame; changes nothing else (the send
   * stream, mute and audio processing stay as they are).
   */
  void setSpeaking(boolean speaking) {
    this.speaking = speaking;
  }

  boolean speaking() {
    return speaking;
  }

  @Override
  public int onPlaybackData(byte[] buffer, int samples, int bytesPerSample, int channels, int sampleRate) {
    pulls++; // one writer, the module's capture thread
    try {
      int ch = Math.max(1, channels);
      int n = Math.min(buffer.length / 2, samples * Math.max(1, bytesPerSample / 2));
      if (gated || sampleRate <= 0) {
        java.util.Arrays.fill(buffer, 0, 2 * n, (byte) 0);
        return samples;
      }
      if (!speaking) {
        int x = noise;
        short v = 0;
        for (int i = 0; i < n; i++) {
          if (i % ch == 0) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            v = (short) (((x >> 16) * NOISE_PEAK) >> 15);
          }
          buffer[2 * i] = (byte) v;
          buffer[2 * i + 1] = (byte) (v >> 8);
        }
        noise = x;
        return samples;
      }
      if (table == null || tableRate != sampleRate) {
        table = tone(frequencyHz, sampleRate);
        tableRate = sampleRate;
        position = 0;
      }
      short[] t = table;
      int p = position;
      for (int i = 0; i < n; i++) {
        short v = t[p];
        buffer[2 * i] = (byte) v;
        buffer[2 * i + 1] = (byte) (v >> 8);
        if ((i + 1) % ch == 0) {
          p = p + 1 == t.length ? 0 : p + 1;
        }
      }
      position = p;
      return samples;
    } catch (RuntimeException e) {
      // an exception must never propagate into the native capture thread
      return 0;
    }
  }

  private static short[] tone(double hz, int rate) {
    short[] t = new short[rate];
    double step = 2 * Math.PI * hz / rate;
    for (int i = 0; i < rate; i++) {
      t[i] = (short) Math.round(Math.sin(step * i) * 0.5 * Short.MAX_VALUE);
    }
    return t;
  }
}
