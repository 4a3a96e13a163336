package com.parchchat.bench.voice;

import dev.onvoid.webrtc.media.audio.AudioProcessing;
import dev.onvoid.webrtc.media.audio.AudioProcessingConfig;
import dev.onvoid.webrtc.media.audio.AudioProcessingStreamConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * libwebrtc's audio processing (webrtc-java 0.14's {@link AudioProcessing}) driven standalone on 10 ms
 * mono frames, as the voice engine's capture path runs it: {@code processReverseStream} with what the
 * speaker plays (the far end), then {@code processStream} with what the microphone captured.
 *
 * <p>Two questions, each answered per configuration of the processing's components:
 * <ul>
 *   <li><b>cost</b>: thread CPU time per 10 ms frame (both calls; the input frames are precomputed, so
 *       nothing else is measured), for a speaking microphone (a tone at −6 dBFS) and an open microphone in a
 *       quiet room (white noise at −60 dBFS), while the two other members talk (two tones played);</li>
 *   <li><b>what survives</b>: the RMS of the processed microphone relative to its input over time. A
 *       steady tone whose frequency sits next to the tones the speaker plays is what the voice bench's three
 *       talkers were (440/550/660 Hz): the echo canceller takes the middle one for echo and removes it.</li>
 * </ul>
 *
 * <p>Not reachable here: libwebrtc's AGC1 (webrtc-java 0.14's config has no field for it; a peer
 * connection factory switches it on through the audio source's {@code autoGainControl} option).
 *
 * <pre>
 * java -cp bench/target-x/parch-bench.jar com.parchchat.bench.voice.ApmProbe --seconds 20
 * </pre>
 */
@Command(name = "apm-probe", mixinStandardHelpOptions = true)
public final class ApmProbe implements Callable<Integer> {

  static final int RATE = 48_000;
  static final int FRAME = RATE / 100;

  @Option(names = "--seconds", defaultValue = "20", description = "audio processed per configuration and input")
  int seconds;
  @Option(names = "--mic-hz", defaultValue = "550", description = "the microphone's tone (what survives)")
  double micHz;
  @Option(names = "--far-hz", split = ",", defaultValue = "440,660",
      description = "the tones the speaker plays (the other members)") double[] farHz;

  @Option(names = "--channels", defaultValue = "1", description = "channels of microphone and speaker (1: the"
      + " headless module; 2: a stereo device, as a PulseAudio module may open)") int channels;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ApmProbe()).execute(args));
  }

  /** One configuration of the processing's components. */
  record Variant(String name, Consumer<AudioProcessingConfig> setup) {
  }

  static List<Variant> variants() {
    List<Variant> v = new ArrayList<>();
    v.add(new Variant("none", c -> { }));
    v.add(new Variant("high-pass", c -> c.highPassFilter.enabled = true));
    v.add(new Variant("noise suppression (high)", c -> {
      c.noiseSuppression.enabled = true;
      c.noiseSuppression.level = AudioProcessingConfig.NoiseSuppression.Level.HIGH;
    }));
    v.add(new Variant("echo canceller (+ its high-pass)", c -> c.echoCanceller.enabled = true));
    v.add(new Variant("AGC2 fixed (limiter)", c -> c.gainControl.enabled = true));
    v.add(new Variant("AGC2 adaptive digital", c -> {
      c.gainControl.enabled = true;
      c.gainControl.adaptiveDigital.enabled = true;
    }));
    v.add(new Variant("desktop: AEC + NS high + AGC2 fixed + HPF", ApmProbe::desktop));
    v.add(new Variant("desktop with AGC2 adaptive", c -> {
      desktop(c);
      c.gainControl.adaptiveDigital.enabled = true;
    }));
    return v;
  }

  static void desktop(AudioProcessingConfig c) {
    c.echoCanceller.enabled = true;
    c.noiseSuppression.enabled = true;
    c.noiseSuppression.level = AudioProcessingConfig.NoiseSuppression.Level.HIGH;
    c.gainControl.enabled = true;
    c.highPassFilter.enabled = true;
  }

  @Override
  public Integer call() {
    int frames = seconds * 100;
    byte[][] far = frames(frames, farHz, 0.25, 0, channels);
    byte[][] tone = frames(frames, new double[] {micHz}, 0.5, 0, channels);
    byte[][] noise = frames(frames, new double[0], 0, 0.001, channels);
    System.out.printf(Locale.ROOT, "=== audio processing probe (webrtc-java 0.14, 48 kHz, %d channel(s), 10 ms frames, %d s"
        + " per cell; speaker plays %s Hz) ===%n", channels, seconds, java.util.Arrays.toString(farHz));
    System.out.printf(Locale.ROOT, "%-44s %14s %14s %22s%n", "components", "tone us/frame", "noise us/frame",
        micHz + " Hz kept: 1st s / last s");
    for (Variant v : variants()) {
      Result t = run(v, far, tone, channels);
      Result n = run(v, far, noise, channels);
      System.out.printf(Locale.ROOT, "%-44s %14.1f %14.1f %11.2f / %.2f%n", v.name(), t.micros, n.micros,
          t.keptFirst, t.keptLast);
    }
    System.out.println("(us/frame: thread CPU of processReverseStream + processStream per 10 ms frame;"
        + " 100 us/frame = 1 % of a core. kept: output RMS / input RMS)");
    return 0;
  }

  /** Result of one configuration on one input. */
  record Result(double micros, double keptFirst, double keptLast) {
  }

  /**
   * Processes {@code mic} with {@code far} playing, after a warm-up of one second; returns the thread CPU per
   * frame and the output/input RMS ratio in the first and last second.
   */
  static Result run(Variant v, byte[][] far, byte[][] mic) {
    return run(v, far, mic, 1);
  }

  /** {@link #run(Variant, byte[][], byte[][])} with {@code channels} interleaved channels. */
  static Result run(Variant v, byte[][] far, byte[][] mic, int channels) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    AudioProcessing apm = new AudioProcessing();
    try {
      AudioProcessingConfig c = new AudioProcessingConfig();
      c.echoCanceller.enabled = false;
      c.noiseSuppression.enabled = false;
      c.gainControl.enabled = false;
      c.highPassFilter.enabled = false;
      v.setup().accept(c);
      apm.applyConfig(c);
      AudioProcessingStreamConfig sc = new AudioProcessingStreamConfig(RATE, channels);
      byte[] out = new byte[FRAME * 2 * channels];
      byte[] farOut = new byte[FRAME * 2 * channels];
      double inFirst = 0;
      double outFirst = 0;
      double inLast = 0;
      double outLast = 0;
      int n = mic.length;
      long cpu = 0;
      for (int i = 0; i < n; i++) {
        long t0 = mx.getCurrentThreadCpuTime();
        apm.processReverseStream(far[i], sc, sc, farOut);
        apm.processStream(mic[i], sc, sc, out);
        long t1 = mx.getCurrentThreadCpuTime();
        if (i >= 100) {
          cpu += t1 - t0;
        }
        if (i < 100) {
          inFirst += energy(mic[i]);
          outFirst += energy(out);
        } else if (i >= n - 100) {
          inLast += energy(mic[i]);
          outLast += energy(out);
        }
      }
      return new Result(cpu / 1000.0 / Math.max(1, n - 100), Math.sqrt(outFirst / Math.max(1e-9, inFirst)),
          Math.sqrt(outLast / Math.max(1e-9, inLast)));
    } finally {
      apm.dispose();
    }
  }

  /**
   * {@code count} 10 ms frames of 16-bit mono PCM: the sum of sines at {@code hz}, each of peak {@code peak}
   * (0..1 of full scale), plus uniform white noise of RMS {@code noiseRms}.
   */
  static byte[][] frames(int count, double[] hz, double peak, double noiseRms) {
    return frames(count, hz, peak, noiseRms, 1);
  }

  /** {@link #frames(int, double[], double, double)} with the same signal on {@code channels} interleaved channels. */
  static byte[][] frames(int count, double[] hz, double peak, double noiseRms, int channels) {
    byte[][] out = new byte[count][FRAME * 2 * channels];
    java.util.Random r = new java.util.Random(42);
    double noisePeak = noiseRms * Math.sqrt(3);
    long s = 0;
    for (int f = 0; f < count; f++) {
      for (int i = 0; i < FRAME; i++, s++) {
        double x = 0;
        for (double h : hz) {
          x += peak * Math.sin(2 * Math.PI * h * s / RATE);
        }
        if (noisePeak > 0) {
          x += (r.nextDouble() * 2 - 1) * noisePeak;
        }
        short v = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(x * 32767)));
        for (int c = 0; c < channels; c++) {
          out[f][2 * (i * channels + c)] = (byte) v;
          out[f][2 * (i * channels + c) + 1] = (byte) (v >> 8);
        }
      }
    }
    return out;
  }

  static double energy(byte[] pcm) {
    double e = 0;
    for (int i = 0; i + 1 < pcm.length; i += 2) {
      short v = (short) ((pcm[i] & 0xff) | (pcm[i + 1] << 8));
      e += (double) v * v;
    }
    return e;
  }
}
