package com.parchchat.bench.sfu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from {@code /proc/<pid>/stat} (utime + stime, all threads). */
public final class ProcCpu {
  /** Clock ticks per second on Linux x86-64 ({@code getconf CLK_TCK}). */
  private static final double TICKS = 100.0;

  private ProcCpu() {}

  public static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the ")" of the command name: state is field 3, utime 14, stime 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CPU time of pid " + pid, e);
    }
  }

  /** CPU seconds per thread name (threads of the same name summed), busiest first. */
  public static java.util.List<java.util.Map.Entry<String, Double>> threads(long pid) {
    java.util.Map<String, Double> byName = new java.util.HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String comm = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+$", "#");
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          byName.merge(comm, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS, Double::sum);
        } catch (IOException e) {
          // thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return java.util.List.of();
    }
    java.util.List<java.util.Map.Entry<String, Double>> out = new java.util.ArrayList<>(byName.entrySet());
    out.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
    return out;
  }

  /** {user, system} CPU seconds. */
  public static double[] userSystem(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new double[] {Long.parseLong(f[11]) / TICKS, Long.parseLong(f[12]) / TICKS};
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CPU time of pid " + pid, e);
    }
  }

  public static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
