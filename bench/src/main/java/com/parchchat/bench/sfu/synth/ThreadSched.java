package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Per-thread scheduler figures of a process from {@code /proc/<pid>/task/<tid>/schedstat} (time on
 * the CPU, time waiting on a run queue while runnable, timeslices) and {@code status} (involuntary
 * context switches): which threads of the SFU used its core during a window, and how long its
 * media thread was runnable but not running — a delay no in-process histogram can see.
 */
final class ThreadSched {
  /** One thread at one moment. */
  record Sample(String name, long runNanos, long waitNanos, long slices, long involuntary) {}

  private ThreadSched() {}

  /** Every thread of {@code pid} now (threads that vanish meanwhile are skipped). */
  static Map<Long, Sample> read(long pid) {
    Map<Long, Sample> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String[] st = Files.readString(t.resolve("schedstat")).trim().split("\\s+");
          String name = Files.readString(t.resolve("comm")).trim();
          long inv = 0;
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              inv = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          out.put(Long.parseLong(t.getFileName().toString()),
              new Sample(name, Long.parseLong(st[0]), Long.parseLong(st[1]), Long.parseLong(st[2]), inv));
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /**
   * The {@code top} threads by CPU time between two readings: name, CPU ms, run-queue wait ms,
   * timeslices, involuntary switches.
   */
  static String busiest(Map<Long, Sample> before, Map<Long, Sample> after, int top, double windowSeconds) {
    List<long[]> rows = new ArrayList<>();
    Map<Long, String> names = new HashMap<>();
    for (Map.Entry<Long, Sample> e : after.entrySet()) {
      Sample a = e.getValue();
      Sample b = before.getOrDefault(e.getKey(), new Sample(a.name(), 0, 0, 0, 0));
      rows.add(new long[] {e.getKey(), a.runNanos() - b.runNanos(), a.waitNanos() - b.waitNanos(),
          a.slices() - b.slices(), a.involuntary() - b.involuntary()});
      names.put(e.getKey(), a.name());
    }
    rows.sort((x, y) -> Long.compare(y[1], x[1]));
    StringBuilder sb = new StringBuilder();
    long otherRun = 0;
    for (int i = 0; i < rows.size(); i++) {
      long[] r = rows.get(i);
      if (i < top) {
        sb.append(String.format(Locale.ROOT, "%s%s: CPU %.0f ms, run-queue wait %.1f ms, %d slices, %d involuntary",
            i == 0 ? "" : "; ", names.get(r[0]), r[1] / 1e6, r[2] / 1e6, r[3], r[4]));
      } else {
        otherRun += r[1];
      }
    }
    long allRun = rows.stream().mapToLong(r -> r[1]).sum();
    sb.append(String.format(Locale.ROOT, "; other %d threads CPU %.0f ms; all threads CPU %.0f ms by schedstat"
        + " (ns-exact; the process CPU of the table is tick-sampled) (window %.1f s)",
        Math.max(0, rows.size() - top), otherRun / 1e6, allRun / 1e6, windowSeconds));
    return sb.toString();
  }
}
