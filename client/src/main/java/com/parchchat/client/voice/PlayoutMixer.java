package com.parchchat.client.voice;

import dev.onvoid.webrtc.media.audio.AudioSource;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The playout mix with a volume per remote member (0–200 %). webrtc-java 0.14 exposes no gain on a
 * remote track or source, and libwebrtc's own mixer feeds the device module without a hook. So when
 * this mixer is in use the remote tracks are disabled in libwebrtc's mix (their output gain becomes 0;
 * the decoded audio still reaches the tracks' sinks, which sit before that gain) and the sinks feed
 * this mixer instead: one jitter buffer per member, summed with each member's gain and saturated to
 * 16 bits when the playout side pulls 10 ms.
 *
 * <p>Two clocks meet here: libwebrtc's playout thread pushes 10 ms per member on its own schedule, and
 * the speaker (webrtc-java's {@link dev.onvoid.webrtc.media.audio.AudioPlayer}, or a test recording
 * what would be played) pulls 10 ms on another. Without slack, every late push becomes a gap of
 * silence in the middle of a voice. So each member's buffer first <em>primes</em>: it contributes
 * nothing until {@link #DEFAULT_PRIME_MILLIS} of audio are buffered, then plays; when a pull finds
 * less than it needs (an underflow) the buffer plays what it has and primes again. Its size is bounded:
 * when pushes outrun pulls (a speaker that stalled, a slightly faster clock) and more than
 * {@link #DEFAULT_MAX_MILLIS} are buffered, the oldest audio is dropped back to the priming level, so
 * the added latency never grows beyond that bound. {@link #underflows()} and {@link #droppedSamples()}
 * count both events.
 *
 * <p>Members' buffers are only filled while somebody pulled in the last second, so an idle mixer costs
 * nothing. Thread-safe: sinks call {@link #offer} on libwebrtc's audio thread, the player pulls on its own.
 */
public final class PlayoutMixer implements AudioSource {

  /** 48 kHz mono, as libwebrtc's track sinks deliver it. */
  public static final int SAMPLE_RATE = 48_000;
  /** Audio buffered per member before it plays (again, after an underflow). */
  public static final int DEFAULT_PRIME_MILLIS = 30;
  /** Above this much buffered audio the oldest is dropped back to the priming level. */
  public static final int DEFAULT_MAX_MILLIS = 120;
  private static final long ACTIVE_NANOS = 1_000_000_000L;

  private final Map<String, Ring> rings = new ConcurrentHashMap<>();
  private final ToDoubleFunction<String> gain;
  private final int primeSamples;
  private final int maxSamples;
  private final AtomicLong underflows = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile long lastPull = Long.MIN_VALUE / 2;
  private int[] acc = new int[480];
  private short[] scratch = new short[480];

  /** @param gain the volume of a member, 0..2 (1 = as received) */
  public PlayoutMixer(ToDoubleFunction<String> gain) {
    this(gain, DEFAULT_PRIME_MILLIS, DEFAULT_MAX_MILLIS);
  }

  /**
   * @param gain        the volume of a member, 0..2 (1 = as received)
   * @param primeMillis audio buffered per member before it plays, 0..200 ms
   * @param maxMillis   bound of each member's buffer (the most latency it adds), more than
   *                    {@code primeMillis} + 10 and at most 1000 ms
   */
  public PlayoutMixer(ToDoubleFunction<String> gain, int primeMillis, int maxMillis) {
    if (primeMillis < 0 || primeMillis > 200) {
      throw new IllegalArgumentException("primeMillis must be 0..200: " + primeMillis);
    }
    if (maxMillis <= primeMillis + 10 || maxMillis > 1000) {
      throw new IllegalArgumentException("maxMillis must be in (primeMillis + 10, 1000]: " + maxMillis);
    }
    this.gain = gain;
    this.primeSamples = SAMPLE_RATE / 1000 * primeMillis;
    this.maxSamples = SAMPLE_RATE / 1000 * maxMillis;
  }

  /** Whether a playout side pulled recently (otherwise offered audio is dropped at once). */
  public boolean active() {
    return System.nanoTime() - lastPull < ACTIVE_NANOS;
  }

  /** Pulls that found a playing member's buffer short (each ends in silence and a new priming). */
  public long underflows() {
    return underflows.get();
  }

  /** Samples dropped because a member's buffer went over its bound (the speaker pulled too slowly). */
  public long droppedSamples() {
    return dropped.get();
  }

  /** Milliseconds of audio buffered for {@code member} (0 when none). */
  public double bufferedMillis(String member) {
    Ring r = rings.get(member);
    return r == null ? 0 : r.size() * 1000.0 / SAMPLE_RATE;
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
   * Mixes the next {@code frames} samples into {@code out} (mono, saturated). A member still priming
   * contributes silence; one whose buffer runs short contributes what it has, then silence.
   */
  public synchronized void mix(short[] out, int frames) {
    lastPull = System.nanoTime();
    if (acc.length < frames) {
      acc = new int[frames];
    }
    Arrays.fill(acc, 0, frames, 0);
    for (Map.Entry<String, Ring> e : rings.entrySet()) {
      double g = gain.applyAsDouble(e.getKey());
      e.getValue().readInto(acc, frames, g);
    }
    for (int i = 0; i < frames; i++) {
      int v = acc[i];
      out[i] = (short) (v > Short.MAX_VALUE ? Short.MAX_VALUE : Math.max(v, Short.MIN_VALUE));
    }
  }

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

  /** One member's jitter buffer: a bounded ring that primes before it plays. */
  private final class Ring {
    private final short[] buf = new short[maxSamples + SAMPLE_RATE / 100];
    private int read;
    private int size;
    private boolean priming = true;

    synchronized int size() {
      return size;
    }

    synchronized void write(byte[] pcm, int channels, int frames) {
      int cap = buf.length;
      for (int i = 0; i < frames; i++) {
        int o = 2 * i * channels;
        short v = (short) ((pcm[o] & 0xff) | (pcm[o + 1] << 8));
        if (size == cap) {
          read = (read + 1) % cap;
          size--;
          dropped.incrementAndGet();
        }
        buf[(read + size) % cap] = v;
        size++;
      }
      if (size > maxSamples) {
        // the speaker fell behind: keep latency bounded by skipping the oldest audio
        int skip = size - primeSamples;
        read = (read + skip) % cap;
        size -= skip;
        dropped.addAndGet(skip);
      }
    }

    synchronized void readInto(int[] acc, int frames, double gain) {
      if (priming) {
        if (size < Math.max(primeSamples, 1)) {
          return;
        }
        priming = false;
      }
      int cap = buf.length;
      int n = Math.min(frames, size);
      if (gain == 1.0) {
        for (int i = 0; i < n; i++) {
          acc[i] += buf[(read + i) % cap];
        }
      } else if (gain > 0) {
        for (int i = 0; i < n; i++) {
          acc[i] += (int) Math.round(buf[(read + i) % cap] * gain);
        }
      }
      read = (read + n) % cap;
      size -= n;
      if (n < frames) {
        underflows.incrementAndGet();
        priming = true;
      }
    }
  }
}
