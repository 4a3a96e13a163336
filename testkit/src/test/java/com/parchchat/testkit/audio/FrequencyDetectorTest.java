package com.parchchat.testkit.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrequencyDetectorTest {

    private static final double[] CANDIDATES = {440, 550, 660, 770, 880};

    private static short[] tone(double hz, int frames) {
        ToneGenerator gen = new ToneGenerator(hz);
        short[] out = new short[frames * ToneGenerator.SAMPLES_PER_FRAME];
        for (int f = 0; f < frames; f++) {
            System.arraycopy(gen.nextSamples(), 0, out, f * ToneGenerator.SAMPLES_PER_FRAME,
                    ToneGenerator.SAMPLES_PER_FRAME);
        }
        return out;
    }

    private static short[] mix(short[] a, short[] b) {
        short[] out = new short[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (short) ((a[i] + b[i]) / 2);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(doubles = {440, 550, 660, 770, 880})
    void pureToneIsTheOnlyCandidatePresentAndDominates(double hz) {
        FrequencyDetector.Result r = new FrequencyDetector().analyze(tone(hz, 20), 48_000, CANDIDATES);

        assertThat(r.present()).containsExactly(hz);
        assertThat(r.shares().get(hz)).isGreaterThan(0.9);
        assertThat(r.dominantHz()).isCloseTo(hz, within(1.0));
    }

    @Test
    void twoTonesAreBothPresentWithAboutHalfTheShareEach() {
        FrequencyDetector.Result r = new FrequencyDetector().analyze(mix(tone(440, 20), tone(660, 20)), 48_000,
                CANDIDATES);

        assertThat(r.present()).containsExactly(440.0, 660.0);
        assertThat(r.shares().get(440.0)).isCloseTo(0.5, within(0.1));
        assertThat(r.shares().get(660.0)).isCloseTo(0.5, within(0.1));
    }

    @Test
    void silenceAndQuietNoiseHaveNothingPresent() {
        FrequencyDetector detector = new FrequencyDetector();
        assertThat(detector.analyze(new short[9600], 48_000, CANDIDATES).present()).isEmpty();

        Random rnd = new Random(1);
        short[] noise = new short[9600];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) (rnd.nextGaussian() * 3000);
        }
        FrequencyDetector.Result r = detector.analyze(noise, 48_000, CANDIDATES);
        assertThat(r.rms()).isGreaterThan(1000);
        assertThat(r.present()).isEmpty();
    }

    @Test
    void toneUnderNoiseIsStillFound() {
        Random rnd = new Random(2);
        short[] signal = tone(660, 20);
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (short) (signal[i] / 2 + rnd.nextGaussian() * 1500);
        }
        FrequencyDetector.Result r = new FrequencyDetector().analyze(signal, 48_000, CANDIDATES);
        assertThat(r.present()).containsExactly(660.0);
        assertThat(r.dominantHz()).isCloseTo(660, within(2.0));
    }

    @Test
    void generatorFramesHaveTheWebrtcShapeAndContinuousPhase() {
        ToneGenerator gen = new ToneGenerator(1000, 1.0);
        byte[] a = gen.nextFrame();
        byte[] b = gen.nextFrame();
        assertThat(a).hasSize(960);
        short[] sa = Pcm.toShorts(a, 480);
        short[] sb = Pcm.toShorts(b, 480);
        // 1 kHz at 48 kHz: 48 samples per period, 10 periods per frame, so frame 2 repeats frame 1
        for (int i = 0; i < 480; i++) {
            assertThat((int) sb[i]).isCloseTo(sa[i], within(1));
        }
        assertThat(Pcm.rms(sa)).isCloseTo(Short.MAX_VALUE / Math.sqrt(2), within(50.0));
    }

    @Test
    void recorderDownmixesStereoAndKeepsOnlyTheWindow() {
        PcmRecorder rec = new PcmRecorder(960);
        ToneGenerator gen = new ToneGenerator(440);
        for (int i = 0; i < 5; i++) {
            short[] mono = gen.nextSamples();
            byte[] stereo = new byte[480 * 4];
            for (int s = 0; s < 480; s++) {
                for (int c = 0; c < 2; c++) {
                    stereo[4 * s + 2 * c] = (byte) mono[s];
                    stereo[4 * s + 2 * c + 1] = (byte) (mono[s] >> 8);
                }
            }
            rec.accept(stereo, 16, 48_000, 2, 480);
        }
        rec.accept(new byte[10], 8, 48_000, 1, 10);

        PcmRecorder.Snapshot snap = rec.snapshot();
        assertThat(snap.callbacks()).isEqualTo(5);
        assertThat(snap.samples()).isEqualTo(2400);
        assertThat(snap.channels()).isEqualTo(2);
        assertThat(snap.unsupportedFrames()).isEqualTo(1);
        assertThat(rec.recentSamples()).hasSize(960);
        assertThat(rec.analyze(new FrequencyDetector(), 440, 660).present()).containsExactly(440.0);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> new ToneGenerator(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToneGenerator(30_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToneGenerator(440, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrequencyDetector(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrequencyDetector().analyze(new short[10], 0, 440))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
