package com.parchchat.sfu.room;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Active-speaker detection from the RFC 6464 audio level each publisher puts in its packets
 * (0 = loudest, 127 = silence, in −dBov). Keeps an exponentially smoothed loudness per publisher on
 * the media thread; a publisher that sends nothing for a second counts as silent (DTX).
 */
final class SpeakerTracker {
  /** Quieter than −50 dBov counts as silence. */
  static final int SILENCE_DBOV = 50;
  private static final long STALE_NANOS = 1_000_000_000L;

  private static final class Level {
    volatile double smoothed = 127;
    volatile long lastNanos;
  }

  private final Map<Participant, Level> levels = new ConcurrentHashMap<>();

  void onLevel(Participant p, int dbov, long nowNanos) {
    Level l = levels.computeIfAbsent(p, k -> new Level());
    l.smoothed = l.smoothed * 0.8 + dbov * 0.2;
    l.lastNanos = nowNanos;
  }

  void remove(Participant p) {
    levels.remove(p);
  }

  /** Members with audible, recent voice, loudest first; level in 0..1. */
  List<Map.Entry<Participant, Double>> speaking(long nowNanos) {
    List<Map.Entry<Participant, Double>> out = new ArrayList<>();
    for (Map.Entry<Participant, Level> e : levels.entrySet()) {
      Level l = e.getValue();
      if (nowNanos - l.lastNanos > STALE_NANOS || l.smoothed > SILENCE_DBOV || e.getKey().muted()) {
        continue;
      }
      out.add(Map.entry(e.getKey(), Math.pow(10, -l.smoothed / 20.0)));
    }
    out.sort(Comparator.comparing((Map.Entry<Participant, Double> e) -> e.getValue()).reversed());
    return out;
  }

  /** Loudness rank key for loudest-N selection: lower smoothed dBov is louder; silent or stale last. */
  double loudness(Participant p, long nowNanos) {
    Level l = levels.get(p);
    if (l == null || nowNanos - l.lastNanos > STALE_NANOS) {
      return 0;
    }
    return 127 - l.smoothed;
  }
}
