package com.parchchat.testkit.audio;

/**
 * A continuous-phase sine generator that hands out 10 ms frames of 16-bit little-endian mono
 * PCM at 48 kHz (480 samples, 960 bytes) — exactly the shape libwebrtc's
 * {@code CustomAudioSource.pushAudio(pcm, 16, 48000, 1, 480)} expects.
 *
 * <p>The phase carries over between frames so the tone has no clicks at frame edges (clicks
 * would smear energy over the spectrum and weaken frequency detection on the far side).
 * Not thread-safe: one generator per sending thread. The frequency may be changed while
 * running ({@link #setFrequency}); 0 Hz produces silence.
 */
public final class ToneGenerator {

    public static final int SAMPLE_RATE = 48_000;
    public static final int BITS_PER_SAMPLE = 16;
    public static final int CHANNELS = 1;
    public static final int FRAME_MILLIS = 10;
    public static final int SAMPLES_PER_FRAME = SAMPLE_RATE * FRAME_MILLIS / 1000;
    public static final int BYTES_PER_FRAME = SAMPLES_PER_FRAME * BITS_PER_SAMPLE / 8;

    private volatile double frequencyHz;
    private volatile double amplitude;
    private double phase;

    /**
     * @param frequencyHz tone frequency, 0 (silence) up to the Nyquist limit (24 kHz)
     * @param amplitude   peak amplitude as a fraction of full scale, in (0, 1]
     */
    public ToneGenerator(double frequencyHz, double amplitude) {
        setFrequency(frequencyHz);
        setAmplitude(amplitude);
    }

    /** A generator at {@code frequencyHz} with amplitude 0.5 (−6 dBFS). */
    public ToneGenerator(double frequencyHz) {
        this(frequencyHz, 0.5);
    }

    public double frequency() {
        return frequencyHz;
    }

    public void setFrequency(double frequencyHz) {
        if (!(frequencyHz >= 0 && frequencyHz < SAMPLE_RATE / 2.0)) {
            throw new IllegalArgumentException("frequency must be in [0, 24000) Hz: " + frequencyHz);
        }
        this.frequencyHz = frequencyHz;
    }

    public void setAmplitude(double amplitude) {
        if (!(amplitude > 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("amplitude must be in (0, 1]: " + amplitude);
        }
        this.amplitude = amplitude;
    }

    /** Next 10 ms frame as a fresh 960-byte little-endian array. */
    public byte[] nextFrame() {
        byte[] out = new byte[BYTES_PER_FRAME];
        nextFrame(out);
        return out;
    }

    /** Fills {@code out} (at least {@link #BYTES_PER_FRAME} bytes) with the next 10 ms frame. */
    public void nextFrame(byte[] out) {
        if (out.length < BYTES_PER_FRAME) {
            throw new IllegalArgumentException("frame buffer needs " + BYTES_PER_FRAME + " bytes");
        }
        double f = frequencyHz;
        double scale = amplitude * Short.MAX_VALUE;
        double step = 2 * Math.PI * f / SAMPLE_RATE;
        for (int i = 0; i < SAMPLES_PER_FRAME; i++) {
            short s = f == 0 ? 0 : (short) Math.round(Math.sin(phase) * scale);
            phase += step;
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        phase %= 2 * Math.PI;
    }

    /** Next 10 ms frame as samples (handy for unit tests of the detector). */
    public short[] nextSamples() {
        return Pcm.toShorts(nextFrame(), BYTES_PER_FRAME / 2);
    }
}
