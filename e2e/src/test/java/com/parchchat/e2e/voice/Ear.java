package com.parchchat.e2e.voice;

import com.parchchat.client.voice.RemoteAudioTap;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.PcmRecorder;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one client hears: the decoded audio of each remote member (as the voice engine attributes it),
 * the last ~0.5 s per member, analysed for the test's tone frequencies. A member whose track has
 * delivered nothing for a second counts as silent.
 */
final class Ear implements RemoteAudioTap {
  private static final long STALE_NANOS = 1_000_000_000L;

  private final double[] candidates;
  private final Map<String, PcmRecorder> byMember = new ConcurrentHashMap<>();
  private final Map<String, Long> lastAudio = new ConcurrentHashMap<>();
  private final FrequencyDetector detector = new FrequencyDetector();
  volatile long firstAudioNanos;

  Ear(double... candidates) {
    this.candidates = candidates.clone();
  }

  @Override
  public void onAudio(String userId, byte[] pcm, int bits, int rate, int channels, int frames) {
    byMember.computeIfAbsent(userId, u -> new PcmRecorder(rate / 2)).accept(pcm, bits, rate, channels, frames);
    lastAudio.put(userId, System.nanoTime());
  }

  /** Tone frequencies audible from {@code userId} now. */
  Set<Double> from(String userId) {
    PcmRecorder r = byMember.get(userId);
    Long last = lastAudio.get(userId);
    if (r == null || last == null || System.nanoTime() - last > STALE_NANOS) {
      return Set.of();
    }
    Set<Double> present = new TreeSet<>(r.analyze(detector, candidates).present());
    if (!present.isEmpty() && firstAudioNanos == 0) {
      firstAudioNanos = System.nanoTime();
    }
    return present;
  }

  /** Tone frequencies audible from anybody now. */
  Set<Double> all() {
    Set<Double> out = new TreeSet<>();
    for (String u : byMember.keySet()) {
      out.addAll(from(u));
    }
    return out;
  }
}
