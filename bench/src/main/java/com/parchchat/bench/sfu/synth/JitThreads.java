package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The SFU JVM's housekeeping threads (JIT compilers, the VM thread, GC threads, the JVM's periodic
 * task, service and cleaner threads) moved off the SFU's pinned CPU onto the load generator's: on a
 * real server the JIT and GC run on other cores than the media thread, so on the bench's one pinned core they would only add run-queue wait to
 * the media thread that a deployment does not have. HotSpot starts C1/C2 threads on demand, so
 * {@link #moveNew} is called again at every stage start; threads already moved are skipped.
 */
final class JitThreads {
  /** {@code comm} prefixes (Linux truncates names to 15 characters) of the threads moved. */
  private static final List<String> PREFIXES = List.of(
      "C1 CompilerThre", "C2 CompilerThre", "VM Thread", "GC Thread", "G1 ", "Sweeper thread",
      // the JVM's other housekeeping threads (JDK 17 names): not the SFU's I/O or media work
      "VM Periodic Tas", "Service Thread", "Monitor Deflati", "Common-Cleaner", "Finalizer", "Reference Handl",
      "Signal Dispatch", "Notification Th");

  private final long pid;
  private final String cpus;
  private final Set<Long> moved = new HashSet<>();

  JitThreads(long pid, String cpus) {
    this.pid = pid;
    this.cpus = cpus;
  }

  static boolean housekeeping(String name) {
    return PREFIXES.stream().anyMatch(name::startsWith);
  }

  static boolean compiler(String name) {
    return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
  }

  /** Moves housekeeping threads not moved yet; returns "name (tid), ..." of those moved now, empty if none. */
  String moveNew() throws Exception {
    List<String> now = new ArrayList<>();
    for (Map.Entry<Long, ThreadSched.Sample> e : ThreadSched.read(pid).entrySet()) {
      String name = e.getValue().name();
      if (housekeeping(name) && !moved.contains(e.getKey())) {
        if (setAffinity(e.getKey())) {
          moved.add(e.getKey());
          now.add(name + " (" + e.getKey() + ")");
        }
      }
    }
    return String.join(", ", now);
  }

  /** CPU time of the SFU's compiler threads so far, nanoseconds. */
  static long compilerNanos(long pid) {
    return ThreadSched.read(pid).values().stream().filter(s -> compiler(s.name())).mapToLong(ThreadSched.Sample::runNanos)
        .sum();
  }

  /** {@code taskset -p -c cpus tid}: one thread only; false if the thread ended meanwhile. */
  private boolean setAffinity(long tid) throws Exception {
    Process p = new ProcessBuilder("taskset", "-p", "-c", cpus, Long.toString(tid)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("taskset -p -c " + cpus + " " + tid + " timed out");
    }
    if (p.exitValue() != 0) {
      if (!java.nio.file.Files.exists(java.nio.file.Path.of("/proc", Long.toString(pid), "task", Long.toString(tid)))) {
        return false;
      }
      throw new IOException("taskset -p -c " + cpus + " " + tid + " failed: " + out.trim());
    }
    return true;
  }
}
