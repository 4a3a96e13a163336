package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Busy time of some CPUs from {@code /proc/stat} (user, nice, system, irq, softirq, steal; in
 * seconds): with the SFU pinned, how much of its CPU went to the SFU and how much to anything else
 * (niced builds show as "nice", the loopback receive path as "softirq"). The kernel samples these
 * per tick, so over a few seconds they are approximate (the difference to the process's own CPU
 * time was off by up to ±0.5 s in 8 s windows on the development VM).
 */
final class CpuStat {
  /** user, nice, system, irq, softirq, steal in seconds, summed over the CPUs. */
  record Sample(double user, double nice, double system, double irq, double softirq, double steal) {}

  private CpuStat() {}

  /** The CPUs of a taskset list such as {@code 1}, {@code 0-1} or {@code 0,2-3}. */
  static Set<Integer> cpus(String list) {
    Set<Integer> out = new HashSet<>();
    for (String part : list.split(",")) {
      String[] r = part.trim().split("-");
      int from = Integer.parseInt(r[0].trim());
      int to = r.length == 1 ? from : Integer.parseInt(r[1].trim());
      for (int c = from; c <= to; c++) {
        out.add(c);
      }
    }
    return out;
  }

  /** Now, summed over {@code cpus}; null if /proc/stat cannot be read. */
  static Sample read(Set<Integer> cpus) {
    double hz = 100.0; // USER_HZ on Linux
    double[] sum = new double[6];
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
          continue;
        }
        String[] f = line.trim().split("\\s+");
        int cpu = Integer.parseInt(f[0].substring(3));
        if (!cpus.contains(cpu)) {
          continue;
        }
        // cpuN user nice system idle iowait irq softirq steal
        int[] idx = {1, 2, 3, 6, 7, 8};
        for (int i = 0; i < idx.length; i++) {
          sum[i] += Long.parseLong(f[idx[i]]) / hz;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return new Sample(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
  }

  /** The window's busy time of the CPUs, next to the SFU process's own CPU seconds. */
  static String describe(Sample a, Sample b, double sfuCpuSeconds, String list) {
    if (a == null || b == null) {
      return "CPU " + list + ": /proc/stat unreadable";
    }
    double user = b.user() - a.user();
    double nice = b.nice() - a.nice();
    double sys = b.system() - a.system();
    double irq = b.irq() - a.irq();
    double soft = b.softirq() - a.softirq();
    double steal = b.steal() - a.steal();
    double busy = user + nice + sys + irq + soft;
    return String.format(Locale.ROOT, "CPU %s busy %.2f s (user %.2f, nice %.2f, system %.2f, irq %.2f, softirq %.2f;"
        + " steal %.2f; tick-sampled, ±0.5 s), SFU process %.2f s, difference %.2f s (softirq and other processes)",
        list, busy, user, nice, sys, irq, soft, steal, sfuCpuSeconds, busy - sfuCpuSeconds);
  }
}
