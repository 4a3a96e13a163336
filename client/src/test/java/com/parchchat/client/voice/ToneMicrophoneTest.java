package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The synthetic microphone's speaking switch ({@link ToneMicrophone#setSpeaking}): the tone while
 * speaking, room noise at −60 dBFS RMS (not digital zero) while listening, back to the tone after; and
 * {@link VoiceEngine#setToneSpeaking} refusing an engine without a tone microphone.
 */
class ToneMicrophoneTest {

  private static final int RATE = 48_000;
  private static final int FRAMES = RATE / 100;

  /** Pulls {@code pulls} 10 ms mono frames like the module's capture thread; returns the last one's samples. */
  private static short[] pull(ToneMicrophone mic, int pulls) {
    byte[] buffer = new byte[FRAMES * 2];
    for (int i = 0; i < pulls; i++) {
      assertThat(mic.onPlaybackData(buffer, FRAMES, 2, 1, RATE)).isEqualTo(FRAMES);
    }
    short[] out = new short[FRAMES];
    for (int i = 0; i < FRAMES; i++) {
      out[i] = (short) ((buffer[2 * i] & 0xff) | (buffer[2 * i + 1] << 8));
    }
    return out;
  }

  private static double rms(short[] s) {
    double sum = 0;
    for (short v : s) {
      sum += (double) v * v;
    }
    return Math.sqrt(sum / s.length) / 32768;
  }

  @Test
  void listeningDeliversRoomNoiseAtMinus60DbfsAndSpeakingTheToneAgain() {
    ToneMicrophone mic = new ToneMicrophone(440, 0.01);
    assertThat(mic.speaking()).isTrue();
    double tone = rms(pull(mic, 3));
    assertThat(tone).isCloseTo(0.5 / Math.sqrt(2), within(0.01));
    assertThat(mic.level()).isCloseTo(tone, within(0.01));

    mic.setSpeaking(false);
    double noiseRms = 0;
    for (int i = 0; i < 100; i++) { // one second of frames, each at the noise floor, none digital zero
      short[] frame = pull(mic, 1);
      double r = rms(frame);
      assertThat(20 * Math.log10(r)).isBetween(-61.0, -59.0);
      for (short v : frame) {
        assertThat(Math.abs((int) v)).isLessThanOrEqualTo(58);
      }
      noiseRms += r / 100;
    }
    assertThat(noiseRms).isCloseTo(ToneMicrophone.ROOM_NOISE_RMS, within(0.0001));
    assertThat(mic.level()).isEqualTo(ToneMicrophone.ROOM_NOISE_RMS);
    // the room noise stays below the desktop voice-activity threshold: a listener does not count as speaking
    assertThat(mic.level()).isLessThan(VoiceConfig.desktop().vadThreshold());

    mic.setSpeaking(true);
    assertThat(rms(pull(mic, 1))).isCloseTo(0.5 / Math.sqrt(2), within(0.01));
    assertThat(mic.pulls()).isEqualTo(3 + 100 + 1);
  }

  @Test
  void stereoNoiseIsTheSameSampleOnBothChannels() {
    ToneMicrophone mic = new ToneMicrophone(440, 0.01);
    mic.setSpeaking(false);
    byte[] buffer = new byte[FRAMES * 2 * 2];
    assertThat(mic.onPlaybackData(buffer, FRAMES, 4, 2, RATE)).isEqualTo(FRAMES);
    boolean nonZero = false;
    for (int f = 0; f < FRAMES; f++) {
      int l = 4 * f;
      assertThat(buffer[l]).isEqualTo(buffer[l + 2]);
      assertThat(buffer[l + 1]).isEqualTo(buffer[l + 3]);
      nonZero |= buffer[l] != 0 || buffer[l + 1] != 0;
    }
    assertThat(nonZero).isTrue();
  }

  @Test
  void aGatedMicrophoneStaysSilentAndBadFramesNeverThrow() {
    ToneMicrophone gated = new ToneMicrophone(440, 0.9);
    assertThat(rms(pull(gated, 1))).isZero();
    gated.setSpeaking(false);
    assertThat(rms(pull(gated, 1))).isZero();
    assertThat(gated.level()).isZero();

    ToneMicrophone mic = new ToneMicrophone(440, 0.01);
    mic.setSpeaking(false);
    byte[] small = new byte[10];
    assertThat(mic.onPlaybackData(small, FRAMES, 2, 1, RATE)).isEqualTo(FRAMES); // bounded by the buffer
    assertThat(mic.onPlaybackData(small, FRAMES, 2, 1, 0)).isEqualTo(FRAMES);
    assertThat(mic.onPlaybackData(small, FRAMES, 2, 0, RATE)).isEqualTo(FRAMES);
  }

  @Test
  void anEngineWithoutAToneMicrophoneRefusesTheSwitch() {
    try (VoiceEngine engine = new VoiceEngine(VoiceConfig.headless())) {
      assertThatThrownBy(() -> engine.setToneSpeaking(false)).isInstanceOf(VoiceException.class)
          .hasMessageContaining("no tone microphone");
    }
  }
}
