package com.parchchat.testkit.audio;

/** Conversions between little-endian 16-bit PCM bytes and samples. */
public final class Pcm {

    private Pcm() {
    }

    /** The first {@code samples} 16-bit little-endian samples of {@code data}. */
    public static short[] toShorts(byte[] data, int samples) {
        if (samples < 0 || samples * 2 > data.length) {
            throw new IllegalArgumentException("need " + samples * 2 + " bytes, have " + data.length);
        }
        short[] out = new short[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = (short) ((data[2 * i] & 0xff) | (data[2 * i + 1] << 8));
        }
        return out;
    }

    /** Root mean square of the samples, in sample units (0..32768). */
    public static double rms(short[] samples) {
        if (samples.length == 0) {
            return 0;
        }
        double sum = 0;
        for (short s : samples) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / samples.length);
    }
}
