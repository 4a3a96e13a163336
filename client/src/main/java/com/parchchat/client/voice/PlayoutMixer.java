package com.parchchat.client.voice;

import dev.onvoid.webrtc.media.audio.AudioSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The playout mix with a volume per remote member (0–200 %). webrtc-java 0.14 exposes no gain on a
 * remote track or source, and libwebrtc's own mixer feeds the device module without a hook. So when
 * this mixer is in use the remote tracks are disabled in libwebrtc's mix (their output gain becomes 0;
 * the decoded audio still reaches the tracks' sinks, which sit before that gain) and the sinks feed
 * this mixer instead: one short jitter buffer per member, summed with each member's gain and
 * saturated to 16 bits when the playout side pulls 10 ms.
 *
 * <p>The puller is webrtc-java's {@link dev.onvoid.webrtc.media.audio.AudioPlayer} on the chosen
 * speaker (desktop), or a test that records what would be played. Members' buffers are only filled
 * while somebody pulled in the last second, so an idle mixer costs nothing.
 *
 * <p>Thread-safe: sinks call {@link #offer} on libwebrtc's audio thread, the player pulls on its own.
 */
public final class PlayoutMixer implements AudioSource {

  /** 48 kHz mono, as libwebrtc's track sinks deliver it. */
  public static final int SAMPLE_RATE = 48_000;
  private static final int RING = SAMPLE_RATE / 10; // 100 ms per member
  private static final long ACTIVE_NANOS = 1_000_000_000L;

  private final Map<String, Ring> rings = new ConcurrentHashMap<>();
  private final ToDoubleFunction<String> gain;
  private volatile long lastPull = Long.MIN_VALUE / 2;
  private int[] acc = new int[480];

  /** @param gain the volume of a member, 0..2 (1 = as received) */
  public PlayoutMixer(ToDoubleFunction<String> gain) {
    this.gain = gain;
  }

  /** Whether a playout side pulled recently (otherwise offered audio is dropped at once). */
  public boolean active() {
    return System.nanoTime() - lastPull < ACTIVE_NANOS;
  }

  /** Decoded audio of one member (16-bit little-endian PCM, 48 kHz; extra channels are dropped). */
  public void offer(String member, byte[] pcm, int bits, int rate, int channels, int frames) {
    if (!active() || bits != 16 || rate != SAMPLE_RATE || channels <= 0 || frames <= 0
        || pcm.length < frames * channels * 2) {
      return;
    }
    rings.computeIfAbsent(member, m -> new Ring()).write(pcm, channels, frames);
  }

  /** Forgets a member's buffer (left the call). */
  public void remove(String member) {
    rings.remove(member);
  }

  /** Forgets every buffer. */
  public void clear() {
    rings.clear();
  }

  /**
   * Mixes the next {@code frames} samples into {@code out} (mono, saturated); members with too little
   * buffered audio contribute what they have, then silence.
   */
  public synchronized void mix(short[] out, int frames) {
    lastPull = System.nanoTime();
    if (acc.length < frames) {
      acc = new int[frames];
    }
    java.util.Arrays.fill(acc, 0, frames, 0);
    for (Map.Entry<String, Ring> e : rings.entrySet()) {
      double g = gain.applyAsDouble(e.getKey());
      e.getValue().readInto(acc, frames, g);
    }
    for (int i = 0; i < frames; i++) {
      int v = acc[i];
      out[i] = (short) (v > Short.MAX_VALUE ? Short.MAX_VALUE : Math.max(v, Short.MIN_VALUE));
    }
  }

  private short[] scratch = new short[480];

  /** webrtc-java's playout pull: fills {@code audio} with the mix, the mono signal in every channel. */
  @Override
  public int onPlaybackData(byte[] audio, int nSamples, int nBytesPerSample, int nChannels, int samplesPerSec) {
    try {
      synchronized (this) {
        if (scratch.length < nSamples) {
          scratch = new short[nSamples];
        }
        mix(scratch, nSamples);
        int channels = Math.max(1, nChannels);
        int limit = Math.min(nSamples, audio.length / (2 * channels));
        for (int i = 0; i < limit; i++) {
          short v = scratch[i];
          for (int c = 0; c < channels; c++) {
            int o = 2 * (i * channels + c);
            audio[o] = (byte) v;
            audio[o + 1] = (byte) (v >> 8);
          }
        }
      }
      return nSamples;
    } catch (RuntimeException e) {
      // never let an exception escape into libwebrtc's audio thread
      return nSamples;
    }
  }

  /** One member's jitter buffer: a ring of samples; the oldest are overwritten when it is full. */
  private static final class Ring {
    private final short[] buf = new short[RING];
    private int read;
    private int size;

    synchronized void write(byte[] pcm, int channels, int frames) {
      for (int i = 0; i < frames; i++) {
        int o = 2 * i * channels;
        short v = (short) ((pcm[o] & 0xff) | (pcm[o + 1] << 8));
        int w = (read + size) % RING;
        buf[w] = v;
        if (size < RING) {
          size++;
        } else {
          read = (read + 1) % RING;
        }
      }
    }

    synchronized void readInto(int[] acc, int frames, double gain) {
      int n = Math.min(frames, size);
      if (gain == 1.0) {
        for (int i = 0; i < n; i++) {
          acc[i] += buf[(read + i) % RING];
        }
      } else if (gain > 0) {
        for (int i = 0; i < n; i++) {
          acc[i] += (int) Math.round(buf[(read + i) % RING] * gain);
        }
      }
      read = (read + n) % RING;
      size -= n;
    }
  }
}
