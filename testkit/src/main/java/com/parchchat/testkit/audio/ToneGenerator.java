package com.parchchat.testkit.audio;

/**
 * A continuous-phase sine generator that hands out 10 ms frames of 16-bit little-endian mono
 * PCM at 48 kHz (480 samples, 960 bytes), or ({@link #fill}) any sample rate and channel count an
 * audio device asks for.
 *
 * <p>The phase carries over between frames so the tone has no clicks at frame edges (clicks
 * would smear energy over the spectrum and weaken frequency detection on the far side).
 * Not thread-safe: one thread generates (e.g. libwebrtc's capture thread); the frequency and amplitude
 * are volatile and may be set from any thread. The frequency may be changed while
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
        fill(out, SAMPLES_PER_FRAME, CHANNELS, SAMPLE_RATE);
    }

    /**
     * Writes the next {@code frames} sample frames of the tone into {@code out} as interleaved 16-bit
     * little-endian PCM with {@code channels} identical channels at {@code sampleRate} — whatever shape
     * an audio device asks for (libwebrtc's capture path, for instance). The phase carries over, also
     * across calls with a different shape. Allocates nothing.
     *
     * @throws IllegalArgumentException if {@code out} is shorter than {@code frames * channels * 2} bytes
     *                                  or a count is not positive
     */
    public void fill(byte[] out, int frames, int channels, int sampleRate) {
        if (frames < 0 || channels < 1 || sampleRate < 1) {
            throw new IllegalArgumentException("bad shape: " + frames + " frames, " + channels + " channels, "
                    + sampleRate + " Hz");
        }
        if ((long) frames * channels * 2 > out.length) {
            throw new IllegalArgumentException("buffer of " + out.length + " bytes is too small for " + frames
                    + " frames of " + channels + " channels");
        }
        double f = frequencyHz;
        double scale = amplitude * Short.MAX_VALUE;
        double step = 2 * Math.PI * f / sampleRate;
        int at = 0;
        for (int i = 0; i < frames; i++) {
            short s = f == 0 ? 0 : (short) Math.round(Math.sin(phase) * scale);
            phase += step;
            byte lo = (byte) s;
            byte hi = (byte) (s >> 8);
            for (int c = 0; c < channels; c++) {
                out[at++] = lo;
                out[at++] = hi;
            }
        }
        phase %= 2 * Math.PI;
    }

    /** Next 10 ms frame as samples (handy for unit tests of the detector). */
    public short[] nextSamples() {
        return Pcm.toShorts(nextFrame(), BYTES_PER_FRAME / 2);
    }
}
