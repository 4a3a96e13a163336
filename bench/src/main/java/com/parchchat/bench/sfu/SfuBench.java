package com.parchchat.bench.sfu;

import com.parchchat.testkit.webrtc.RtcStatsSummary;
import com.parchchat.testkit.webrtc.ToneBot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Parch SFU against Janus 1.1.2 (VideoRoom, audio only) under the same load in the same run: P
 * libwebrtc publishers (distinct tones) and S receive-only subscribers in one room on each SFU,
 * one SFU at a time. Measures each SFU process's CPU seconds (from /proc) per forwarded packet,
 * where forwarded packets are what all bots report as received (inbound-rtp packetsReceived) over
 * the measuring window; every subscriber must hear every publisher's tone first.
 *
 * <p>Run: {@code java -cp bench/target/parch-bench.jar com.parchchat.bench.sfu.SfuBench --sfu-jar
 * sfu/target/parch-sfu.jar}. Needs Debian {@code janus} and {@code libpulse0}.
 */
@Command(name = "sfu-bench", mixinStandardHelpOptions = true,
    description = "Parch SFU vs Janus VideoRoom: CPU per forwarded packet under the same bot load.")
public final class SfuBench implements Callable<Integer> {
  @Option(names = "--sfu-jar", required = true, description = "path to parch-sfu.jar")
  Path sfuJar;

  @Option(names = "--sfu-jvm-arg", description = "extra JVM argument for the parch-sfu process (repeatable)")
  List<String> sfuJvmArgs = new ArrayList<>();

  @Option(names = "--publishers", description = "sending bots (default ${DEFAULT-VALUE})")
  int publishers = 2;

  @Option(names = "--subscribers", description = "receive-only bots (default ${DEFAULT-VALUE})")
  int subscribers = 6;

  @Option(names = "--seconds", description = "measuring window (default ${DEFAULT-VALUE})")
  int seconds = 20;

  @Option(names = "--settle", description = "seconds of load before measuring, so the JVM's JIT is done (default ${DEFAULT-VALUE})")
  int settle = 20;

  @Option(names = "--only", description = "parch or janus (default both)")
  String only;

  /** One SFU's figures. */
  record Result(String sfu, double cpuSeconds, long packets, double windowSeconds, long rssKb) {
    double microsPerPacket() {
      return cpuSeconds * 1e6 / packets;
    }

    double packetsPerSecond() {
      return packets / windowSeconds;
    }

    String row() {
      return String.format(Locale.ROOT, "| %s | %.2f | %d | %.0f | %.2f | %.0f | %d |", sfu, cpuSeconds, packets,
          packetsPerSecond(), microsPerPacket(), 1e6 / microsPerPacket(), rssKb / 1024);
    }
  }

  public static void main(String[] args) {
    int code = new CommandLine(new SfuBench()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    List<Result> results = new ArrayList<>();
    if (only == null || only.equals("parch")) {
      try (SfuTarget t = new ParchSfuTarget(sfuJar, sfuJvmArgs)) {
        results.add(measure(t));
      }
    }
    if (only == null || only.equals("janus")) {
      try (SfuTarget t = new JanusTarget()) {
        results.add(measure(t));
      }
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "%d publishers, %d subscribers, %d s window, %d cores%n", publishers, subscribers,
        seconds, Runtime.getRuntime().availableProcessors());
    System.out.println("| SFU | CPU s | packets forwarded | packets/s | CPU µs/packet | packets/s per core (extrapolated) | RSS MiB |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.println(r.row());
    }
    if (results.size() == 2) {
      System.out.printf(Locale.ROOT, "CPU per forwarded packet, parch / janus = %.2f%n",
          results.get(0).microsPerPacket() / results.get(1).microsPerPacket());
    }
    return 0;
  }

  private Result measure(SfuTarget target) throws Exception {
    List<ToneBot> bots = new ArrayList<>();
    List<ToneBot> subs = new ArrayList<>();
    double[] tones = new double[publishers];
    try {
      for (int i = 0; i < publishers; i++) {
        tones[i] = 300 + 150 * i;
        ToneBot b = ToneBot.builder("pub" + i).tone(tones[i]).timeout(Duration.ofSeconds(30)).build();
        bots.add(b);
        target.addPublisher("pub" + i, b);
      }
      for (int i = 0; i < subscribers; i++) {
        ToneBot b = ToneBot.builder("sub" + i).send(false).timeout(Duration.ofSeconds(30)).build();
        bots.add(b);
        subs.add(b);
        target.addSubscriber("sub" + i, b);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!allHear(subs, tones)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(target.name() + ": subscribers do not hear every publisher");
        }
        Thread.sleep(250);
      }
      Thread.sleep(settle * 1000L);
      java.util.Map<String, Double> threads0 = new java.util.HashMap<>();
      ProcCpu.threads(target.pid()).forEach(e -> threads0.put(e.getKey(), e.getValue()));
      target.resetLatency();
      double cpu0 = ProcCpu.seconds(target.pid());
      double[] us0 = ProcCpu.userSystem(target.pid());
      long p0 = received(bots);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double cpu1 = ProcCpu.seconds(target.pid());
      double[] us1 = ProcCpu.userSystem(target.pid());
      long p1 = received(bots);
      long t1 = System.nanoTime();
      Result r = new Result(target.name(), cpu1 - cpu0, p1 - p0, (t1 - t0) / 1e9, ProcCpu.rssKb(target.pid()));
      System.out.println(r.row());
      StringBuilder busiest = new StringBuilder();
      ProcCpu.threads(target.pid()).stream()
          .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - threads0.getOrDefault(e.getKey(), 0.0)))
          .filter(e -> e.getValue() > 0.005)
          .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
          .forEach(e -> busiest.append(String.format(Locale.ROOT, " %s=%.2f", e.getKey(), e.getValue())));
      System.out.println(String.format(Locale.ROOT, "  user %.2f s, system %.2f s;", us1[0] - us0[0], us1[1] - us0[1])
          + " CPU s by thread in the window:" + busiest);
      String latency = target.latency();
      System.out.println("  forwarding latency: " + (latency != null ? latency
          : "not measured (no in-process counter; see docs/performance.md)"));
      return r;
    } finally {
      for (ToneBot b : bots) {
        b.close();
      }
    }
  }

  private static boolean allHear(List<ToneBot> subs, double[] tones) {
    for (ToneBot s : subs) {
      if (s.heardFrequencies(tones).size() != tones.length) {
        return false;
      }
    }
    return true;
  }

  private static long received(List<ToneBot> bots) {
    long sum = 0;
    for (ToneBot b : bots) {
      RtcStatsSummary s = b.stats();
      sum += s.totalPacketsReceived();
    }
    return sum;
  }
}
