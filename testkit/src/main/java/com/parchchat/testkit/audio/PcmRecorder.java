package com.parchchat.testkit.audio;

/**
 * Collects received 16-bit PCM (e.g. from a libwebrtc {@code AudioTrackSink}) and keeps running
 * statistics plus the most recent samples for frequency analysis.
 *
 * <p>Multi-channel input is averaged to mono. Only the last {@code windowSamples} samples are
 * kept (a ring), so memory stays bounded however long a call lasts. Thread-safe: the native
 * audio thread writes while a test thread reads.
 */
public final class PcmRecorder {

    private final short[] ring;
    private int ringPos;
    private int ringFill;
    private long frames;
    private long samples;
    private double sumSquares;
    private int peak;
    private int sampleRate;
    private int channels;
    private long unsupportedFrames;

    /** @param windowSamples how many recent mono samples to keep for analysis (≥ 480) */
    public PcmRecorder(int windowSamples) {
        if (windowSamples < 480) {
            throw new IllegalArgumentException("windowSamples must be >= 480: " + windowSamples);
        }
        this.ring = new short[windowSamples];
    }

    /** Keeps the last 200 ms at 48 kHz. */
    public PcmRecorder() {
        this(9600);
    }

    /**
     * Accepts one callback's worth of audio in the {@code AudioTrackSink.onData} shape:
     * interleaved little-endian samples, {@code frames} samples per channel. Anything but 16-bit
     * audio is counted in {@link Snapshot#unsupportedFrames()} and otherwise ignored.
     */
    public synchronized void accept(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
        if (bitsPerSample != 16 || channels < 1 || frames < 0 || data == null
                || (long) frames * channels * 2 > data.length) {
            unsupportedFrames++;
            return;
        }
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.frames++;
        for (int f = 0; f < frames; f++) {
            int acc = 0;
            for (int c = 0; c < channels; c++) {
                int idx = 2 * (f * channels + c);
                acc += (short) ((data[idx] & 0xff) | (data[idx + 1] << 8));
            }
            short s = (short) (acc / channels);
            ring[ringPos] = s;
            ringPos = (ringPos + 1) % ring.length;
            if (ringFill < ring.length) {
                ringFill++;
            }
            sumSquares += (double) s * s;
            peak = Math.max(peak, Math.abs((int) s));
        }
        samples += frames;
    }

    /** The most recent samples, oldest first (at most the window size). */
    public synchronized short[] recentSamples() {
        short[] out = new short[ringFill];
        int start = (ringPos - ringFill + ring.length) % ring.length;
        for (int i = 0; i < ringFill; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        return out;
    }

    /** Statistics so far. */
    public synchronized Snapshot snapshot() {
        double rms = samples == 0 ? 0 : Math.sqrt(sumSquares / samples);
        return new Snapshot(frames, samples, sampleRate, channels, rms, peak, unsupportedFrames);
    }

    /** Runs {@code detector} over the recent window. */
    public FrequencyDetector.Result analyze(FrequencyDetector detector, double... candidatesHz) {
        short[] recent;
        int rate;
        synchronized (this) {
            recent = recentSamples();
            rate = sampleRate == 0 ? ToneGenerator.SAMPLE_RATE : sampleRate;
        }
        return detector.analyze(recent, rate, candidatesHz);
    }

    /** Forgets everything received so far (e.g. after muting, to see what arrives next). */
    public synchronized void reset() {
        ringPos = 0;
        ringFill = 0;
        frames = 0;
        samples = 0;
        sumSquares = 0;
        peak = 0;
        unsupportedFrames = 0;
    }

    /**
     * @param callbacks         number of accepted callbacks (100/s from libwebrtc)
     * @param samples           mono samples accepted in total
     * @param sampleRate        sample rate of the last callback
     * @param channels          channel count of the last callback
     * @param rms               loudness over everything received, in sample units
     * @param peak              largest absolute sample seen
     * @param unsupportedFrames callbacks ignored because they were not 16-bit
     */
    public record Snapshot(long callbacks, long samples, int sampleRate, int channels, double rms, int peak,
                           long unsupportedFrames) {
    }
}
