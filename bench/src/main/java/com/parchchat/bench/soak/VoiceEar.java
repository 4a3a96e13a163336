package com.parchchat.bench.soak;

import com.parchchat.client.voice.RemoteAudioTap;
import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.PcmRecorder;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one voice client hears (a soak participant here, the e2e voice tests' clients too): the decoded
 * audio of each remote member as the voice engine attributes it, the last ~0.5 s per member, checked
 * for the tone frequencies of the room. A member whose track delivered nothing for a second is silent.
 */
public final class VoiceEar implements RemoteAudioTap {
  private static final long STALE_NANOS = 1_000_000_000L;

  private final double[] candidates;
  private final Map<String, PcmRecorder> byMember = new ConcurrentHashMap<>();
  private final Map<String, Long> lastAudio = new ConcurrentHashMap<>();
  private final FrequencyDetector detector = new FrequencyDetector();

  public VoiceEar(double... candidates) {
    this.candidates = candidates.clone();
  }

  @Override
  public void onAudio(String userId, byte[] pcm, int bits, int rate, int channels, int frames) {
    byMember.computeIfAbsent(userId, u -> new PcmRecorder(rate / 2)).accept(pcm, bits, rate, channels, frames);
    lastAudio.put(userId, System.nanoTime());
  }

  /** Tone frequencies audible from {@code userId} now. */
  public Set<Double> from(String userId) {
    PcmRecorder r = byMember.get(userId);
    Long last = lastAudio.get(userId);
    if (r == null || last == null || System.nanoTime() - last > STALE_NANOS) {
      return Set.of();
    }
    return new TreeSet<>(r.analyze(detector, candidates).present());
  }

  /** Tone frequencies audible now, by member (members heard at some time; silent ones map to an empty set). */
  public Map<String, Set<Double>> heard() {
    Map<String, Set<Double>> m = new TreeMap<>();
    for (String userId : byMember.keySet()) {
      m.put(userId, from(userId));
    }
    return m;
  }

  /** Tone frequencies audible from anybody now. */
  public Set<Double> all() {
    Set<Double> out = new TreeSet<>();
    for (String userId : byMember.keySet()) {
      out.addAll(from(userId));
    }
    return out;
  }
}
