package com.parchchat.testkit.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.Pcm;
import com.parchchat.testkit.audio.ToneGenerator;
import org.junit.jupiter.api.Test;

/** The capture-path microphone on its own, called the way libwebrtc's capture thread calls it. */
class CapturedToneTest {

    /** 200 ms of what the capture thread would pull: 20 calls of 10 ms, interleaved. */
    private static short[] pull(CapturedTone mic, int sampleRate, int channels) {
        int frames = sampleRate / 100;
        short[] out = new short[20 * frames];
        byte[] buffer = new byte[frames * channels * 2];
        for (int call = 0; call < 20; call++) {
            int returned = mic.onPlaybackData(buffer, frames, 2 * channels, channels, sampleRate);
            assertThat(returned).isEqualTo(frames);
            short[] interleaved = Pcm.toShorts(buffer, frames * channels);
            for (int i = 0; i < frames; i++) {
                for (int c = 1; c < channels; c++) {
                    assertThat(interleaved[i * channels + c]).isEqualTo(interleaved[i * channels]);
                }
                out[call * frames + i] = interleaved[i * channels];
            }
        }
        return out;
    }

    @Test
    void deliversTheToneInWhateverShapeTheModuleAsksFor() {
        ToneGenerator generator = new ToneGenerator(440, 0.5);
        CapturedTone mic = new CapturedTone(generator, true);
        for (int[] shape : new int[][] {{48_000, 1}, {48_000, 2}, {16_000, 1}, {44_100, 2}}) {
            short[] samples = pull(mic, shape[0], shape[1]);
            FrequencyDetector.Result r = new FrequencyDetector().analyze(samples, shape[0], 440, 660);
            assertThat(r.present()).as("%d Hz x %d", shape[0], shape[1]).containsExactly(440.0);
        }
        assertThat(mic.framesDelivered()).isEqualTo(80);

        generator.setFrequency(660);
        assertThat(new FrequencyDetector().analyze(pull(mic, 48_000, 2), 48_000, 440, 660).present())
                .containsExactly(660.0);
    }

    @Test
    void mutedDeliversSilenceAndCountsNothing() {
        CapturedTone mic = new CapturedTone(new ToneGenerator(440), false);
        short[] samples = pull(mic, 48_000, 2);
        assertThat(Pcm.rms(samples)).isZero();
        assertThat(mic.framesDelivered()).isZero();
        mic.setOn(true);
        assertThat(Pcm.rms(pull(mic, 48_000, 2))).isGreaterThan(1000);
    }

    @Test
    void aBufferTooSmallForTheRequestNeverThrowsIntoTheNativeThread() {
        CapturedTone mic = new CapturedTone(new ToneGenerator(440), true);
        byte[] small = new byte[100];
        // asks for 480 stereo frames (1920 bytes) but gets 100 bytes: fills what fits, no exception
        assertThat(mic.onPlaybackData(small, 480, 4, 2, 48_000)).isEqualTo(480);
        assertThat(mic.onPlaybackData(new byte[0], 480, 2, 1, 48_000)).isEqualTo(480);
        assertThat(mic.onPlaybackData(small, 480, 2, 1, 0)).isEqualTo(480);
    }
}
