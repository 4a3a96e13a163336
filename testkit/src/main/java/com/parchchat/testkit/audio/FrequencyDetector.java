package com.parchchat.testkit.audio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells which of a set of candidate frequencies are present in a block of PCM and which
 * frequency dominates it.
 *
 * <p>Presence uses a Hann-windowed Goertzel filter at each candidate frequency. Its output is
 * normalised to a <em>share</em>: the fraction of the block's power that sits at that
 * frequency (≈ 1.0 for a pure tone at exactly that frequency, ≈ 0.5 each for two equal
 * tones, ≈ 0 for a frequency not in the signal). A candidate is present when its share is at
 * least {@code minShare} and the block is louder than {@code minRms}; the loudness floor keeps
 * codec noise in near-silence from counting as a tone. The dominant frequency comes from a
 * Hann-windowed FFT peak refined by parabolic interpolation (error well under 1 Hz for a
 * 100 ms+ block at 48 kHz).
 *
 * <p>Immutable and thread-safe.
 */
public final class FrequencyDetector {

    /** Default share threshold: a tone holding a fifth of the signal's power counts as present. */
    public static final double DEFAULT_MIN_SHARE = 0.2;
    /** Default loudness floor, in 16-bit sample units (about −50 dBFS). */
    public static final double DEFAULT_MIN_RMS = 100;

    private final double minShare;
    private final double minRms;

    public FrequencyDetector(double minShare, double minRms) {
        if (!(minShare > 0 && minShare <= 1)) {
            throw new IllegalArgumentException("minShare must be in (0, 1]: " + minShare);
        }
        if (!(minRms >= 0)) {
            throw new IllegalArgumentException("minRms must be >= 0: " + minRms);
        }
        this.minShare = minShare;
        this.minRms = minRms;
    }

    public FrequencyDetector() {
        this(DEFAULT_MIN_SHARE, DEFAULT_MIN_RMS);
    }

    /**
     * The analysis of one block.
     *
     * @param rms         loudness of the block in sample units
     * @param dominantHz  frequency of the strongest spectral peak (0 when the block is too quiet
     *                    or too short)
     * @param shares      per candidate frequency, its share of the block's power, in the order given
     * @param present     the candidates judged present, in the order given
     */
    public record Result(double rms, double dominantHz, Map<Double, Double> shares, List<Double> present) {

        public boolean isPresent(double frequencyHz) {
            return present.contains(frequencyHz);
        }
    }

    /**
     * Analyses {@code samples} (mono) recorded at {@code sampleRate} for the given candidate
     * frequencies.
     */
    public Result analyze(short[] samples, int sampleRate, double... candidatesHz) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be > 0: " + sampleRate);
        }
        double rms = Pcm.rms(samples);
        boolean loudEnough = samples.length >= 64 && rms >= minRms;
        Map<Double, Double> shares = new LinkedHashMap<>();
        List<Double> present = new ArrayList<>();
        for (double f : candidatesHz) {
            double share = loudEnough ? share(samples, sampleRate, f) : 0;
            shares.put(f, share);
            if (loudEnough && share >= minShare) {
                present.add(f);
            }
        }
        double dominant = loudEnough ? dominantFrequency(samples, sampleRate) : 0;
        return new Result(rms, dominant, Collections.unmodifiableMap(shares), List.copyOf(present));
    }

    /**
     * Fraction of the block's power at {@code frequencyHz}, from a Hann-windowed Goertzel
     * filter. For a Hann window the peak power of a tone is one third of the windowed block's
     * total power times N, hence the factor 3.
     */
    public static double share(short[] samples, int sampleRate, double frequencyHz) {
        int n = samples.length;
        if (n < 2 || frequencyHz <= 0 || frequencyHz >= sampleRate / 2.0) {
            return 0;
        }
        double coeff = 2 * Math.cos(2 * Math.PI * frequencyHz / sampleRate);
        double s1 = 0;
        double s2 = 0;
        double windowedEnergy = 0;
        for (int i = 0; i < n; i++) {
            double x = samples[i] * hann(i, n);
            windowedEnergy += x * x;
            double s = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        if (windowedEnergy == 0) {
            return 0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return Math.min(1.0, 3 * power / (n * windowedEnergy));
    }

    /**
     * Frequency of the strongest peak between 20 Hz and Nyquist, using the largest power-of-two
     * block (at most 16384 samples) taken from the end of {@code samples}.
     */
    public static double dominantFrequency(short[] samples, int sampleRate) {
        int n = Integer.highestOneBit(Math.min(samples.length, 16384));
        if (n < 64) {
            return 0;
        }
        int offset = samples.length - n;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = samples[offset + i] * hann(i, n);
        }
        fft(re, im);
        int minBin = Math.max(1, (int) Math.ceil(20.0 * n / sampleRate));
        int best = -1;
        double bestMag = 0;
        double[] mag = new double[n / 2];
        for (int k = 1; k < n / 2; k++) {
            mag[k] = Math.hypot(re[k], im[k]);
            if (k >= minBin && mag[k] > bestMag) {
                bestMag = mag[k];
                best = k;
            }
        }
        if (best < 0) {
            return 0;
        }
        double delta = 0;
        if (best > 1 && best < n / 2 - 1 && mag[best - 1] > 0 && mag[best + 1] > 0) {
            // parabolic interpolation on log magnitudes (a Hann peak is close to a Gaussian)
            double a = Math.log(mag[best - 1]);
            double b = Math.log(mag[best]);
            double c = Math.log(mag[best + 1]);
            double denom = a - 2 * b + c;
            if (denom != 0) {
                delta = 0.5 * (a - c) / denom;
            }
        }
        return (best + delta) * sampleRate / n;
    }

    private static double hann(int i, int n) {
        return 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
    }

    /** In-place iterative radix-2 FFT; {@code re.length} must be a power of two. */
    private static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = -2 * Math.PI / len;
            double wRe = Math.cos(ang);
            double wIm = Math.sin(ang);
            for (int i = 0; i < n; i += len) {
                double curRe = 1;
                double curIm = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double tRe = re[b] * curRe - im[b] * curIm;
                    double tIm = re[b] * curIm + im[b] * curRe;
                    re[b] = re[a] - tRe;
                    im[b] = im[a] - tIm;
                    re[a] += tRe;
                    im[a] += tIm;
                    double nextRe = curRe * wRe - curIm * wIm;
                    curIm = curRe * wIm + curIm * wRe;
                    curRe = nextRe;
                }
            }
        }
    }
}
