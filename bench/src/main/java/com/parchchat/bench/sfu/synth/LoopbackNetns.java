package com.parchchat.bench.sfu.synth;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs the whole bench (load generator, parch-sfu, Janus) in a network namespace of its own whose
 * loopback has Receive Packet Steering to the load generator's CPUs.
 *
 * <p>Why: on loopback the receive side of a datagram (IP and UDP input, the copy into the
 * receiving socket, waking its reader) runs on the <em>sender's</em> CPU, inside its send call
 * (or in that CPU's ksoftirqd). With the SFU pinned to one core, that core then also does the
 * delivery of all its copies into the 50 subscribers' sockets — work that on a real server is done
 * by the subscribers' own machines. With RPS on the namespace's {@code lo} the sender only queues
 * the packet to the backlog of a CPU of the mask (after the kernel's receive stamp is taken, in
 * {@code netif_rx}, with {@code netdev_tstamp_prequeue=1}), and the rest of the receive path runs
 * there. Both SFUs and the baseline run in the same namespace, so they are measured alike.
 *
 * <p>Measured on the 2-core Firecracker development VM (docs/performance.md, SFU seventh session):
 * the NET_RX work moves (per 8 s window ~500–790 k NET_RX softirqs on the SFU's CPU without RPS,
 * ~135–170 k with it, the same number then on the generator's CPU), but the SFU's CPU per
 * forwarded copy <em>rises</em> by ~12 %: the sender now queues to a remote CPU's backlog and
 * sends it an inter-processor interrupt (a VM exit here), which costs more than the loopback
 * delivery it saves. Hence off by default ({@code --netns} to use it).
 *
 * <p>The namespace also gets a veth pair with an address ({@link #ADDRESS}): Janus (libnice)
 * gathers host candidates only on non-loopback interfaces; traffic to a local address still goes
 * over {@code lo}.
 */
final class LoopbackNetns {
  /** The namespace's non-loopback address, for Janus's peers. */
  static final String ADDRESS = "10.201.0.1";

  private LoopbackNetns() {}

  /** Hex mask for {@code rps_cpus} of a taskset CPU list such as {@code 0} or {@code 0-2}. */
  static String mask(String cpuList) {
    long m = 0;
    for (int c : CpuStat.cpus(cpuList)) {
      m |= 1L << c;
    }
    return Long.toHexString(m);
  }

  /**
   * Creates namespace {@code name}, re-runs this JVM's command line inside it with
   * {@code extraArgs} appended, waits for it, and deletes the namespace (killing by PID whatever it
   * left running there). Returns the child's exit code.
   */
  static int relaunch(String name, String rpsCpus, List<String> args, List<String> extraArgs, java.util.function.Consumer<String> log)
      throws Exception {
    Process child = null;
    Thread hook = null;
    try {
      ip("netns", "add", name);
      inNs(name, "ip", "link", "set", "lo", "up");
      inNs(name, "ip", "link", "add", "pv0", "type", "veth", "peer", "name", "pv1");
      inNs(name, "ip", "addr", "add", ADDRESS + "/24", "dev", "pv0");
      inNs(name, "ip", "link", "set", "pv0", "up");
      inNs(name, "ip", "link", "set", "pv1", "up");
      String mask = rpsCpus == null ? "0" : mask(rpsCpus);
      // sysfs under `ip netns exec` is the namespace's own: this is the namespace's lo, not the host's
      inNs(name, "sh", "-c", "echo " + mask + " > /sys/class/net/lo/queues/rx-0/rps_cpus");
      String check = inNs(name, "cat", "/sys/class/net/lo/queues/rx-0/rps_cpus").trim();
      log.accept(String.format(Locale.ROOT, "network namespace %s: lo rps_cpus=%s (CPU %s), veth address %s;"
          + " bench re-run inside it", name, check, rpsCpus == null ? "none" : rpsCpus, ADDRESS));
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(SynthBench.class.getName());
      cmd.addAll(args);
      cmd.addAll(extraArgs);
      child = new ProcessBuilder(cmd).inheritIO().start();
      Process c = child;
      hook = new Thread(() -> {
        c.destroy();
        killLeftovers(name);
        quietIp("netns", "del", name);
      });
      Runtime.getRuntime().addShutdownHook(hook);
      return child.waitFor();
    } finally {
      if (child != null && child.isAlive()) {
        child.destroy();
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      killLeftovers(name);
      quietIp("netns", "del", name);
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running or ran
        }
      }
    }
  }

  /** Ends every process still in the namespace (all started by this bench), by PID. */
  private static void killLeftovers(String name) {
    try {
      for (String pid : run(List.of("ip", "netns", "pids", name)).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    } catch (Exception e) {
      // namespace already gone
    }
  }

  private static String inNs(String name, String... cmd) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(cmd));
    return run(full);
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip"));
    full.addAll(List.of(args));
    run(full);
  }

  private static void quietIp(String... args) {
    try {
      ip(args);
    } catch (Exception e) {
      // already deleted
    }
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
    }
    return out;
  }

  /** NET_RX softirqs per CPU so far, from {@code /proc/softirqs} (empty if unreadable). */
  static long[] netRxSoftirqs() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/softirqs"))) {
        String t = line.trim();
        if (t.startsWith("NET_RX:")) {
          String[] f = t.substring("NET_RX:".length()).trim().split("\\s+");
          long[] out = new long[f.length];
          for (int i = 0; i < f.length; i++) {
            out[i] = Long.parseLong(f[i]);
          }
          return out;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return new long[0];
  }
}
