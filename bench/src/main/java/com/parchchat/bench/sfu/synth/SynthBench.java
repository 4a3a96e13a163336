package com.parchchat.bench.sfu.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.bench.sfu.JanusTarget;
import com.parchchat.bench.sfu.JsonWs;
import com.parchchat.bench.sfu.ParchSfuTarget;
import com.parchchat.bench.sfu.ProcCpu;
import com.parchchat.testkit.synth.Buf;
import com.parchchat.testkit.synth.DtlsSrtpClient;
import com.parchchat.testkit.synth.SrtpKeys;
import com.parchchat.testkit.synth.SynthIdentity;
import com.parchchat.testkit.synth.SynthPeer;
import com.parchchat.testkit.synth.SynthSdp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Parch SFU against Janus 1.1.2 (VideoRoom, audio only) under a synthetic DTLS-SRTP load, in one
 * run. Every synthetic peer does the real protocol against the real SFU process: WebSocket
 * signalling (Parch: {@code join} with a relay-style HS256 token; Janus: VideoRoom
 * publish/subscribe), SDP offer/answer with its own ICE credentials and certificate fingerprint,
 * ICE checks with short-term integrity (and answers to the SFU's checks), a DTLS 1.2 client
 * handshake with {@code use_srtp}, then SRTP. P publishers each send one 20 ms Opus-sized packet
 * every 20 ms (staggered); S receive-only subscribers take every publisher. Stages raise the number
 * of active publishers. Per stage: packets the subscribers decrypted per second, loss, the SFU
 * process's CPU seconds (/proc) and so packets out per CPU-second, and the one-way latency from the
 * publisher's send stamp to the subscriber's read; the same stages without an SFU (each publisher
 * sending every copy straight to the subscribers) give the baseline that is subtracted as the
 * load generator's own latency.
 *
 * <p>Latency is taken twice per probe datagram: at the measuring thread's read (user-space) and
 * from the kernel's receive stamp ({@link RxStamps}: on loopback the moment the SFU's send call
 * handed the copy over), which the measuring thread's own delays do not touch.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED
 * --add-exports java.base/sun.nio.ch=ALL-UNNAMED -cp bench/target-sfu/parch-bench.jar
 * com.parchchat.bench.sfu.synth.SynthBench --sfu-jar sfu/target-sfu/parch-sfu.jar --stages 6,12,24,36}
 * (without the three JVM flags: user-space receive times only, with a warning). Needs Debian
 * {@code janus}.
 */
@Command(name = "sfu-synth-bench", mixinStandardHelpOptions = true,
    description = "Parch SFU vs Janus VideoRoom under synthetic DTLS-SRTP load: packets out per CPU-second, loss, added latency.")
public final class SynthBench implements Callable<Integer> {
  @Option(names = "--sfu-jar", required = true, description = "path to parch-sfu.jar")
  Path sfuJar;

  @Option(names = "--publishers", description = "publishing peers (default ${DEFAULT-VALUE})")
  int publishers = 48;

  @Option(names = "--subscribers", description = "receive-only peers, each taking every publisher (default ${DEFAULT-VALUE})")
  int subscribers = 50;

  @Option(names = "--stages", split = ",", description = "active publishers per stage (default ${DEFAULT-VALUE})")
  List<Integer> stages = new ArrayList<>(List.of(6, 12, 24, 36, 42));

  @Option(names = "--warmup", description = "seconds with the largest stage's publishers sending before the stages,"
      + " so the JIT's C2 compilations are done before measuring (default ${DEFAULT-VALUE})")
  int warmup = 25;

  @Option(names = "--probes", description = "subscribers whose one-way latency is measured, on their own receiving"
      + " thread; the others only count their packets (0 = all measure, on the shared threads) (default ${DEFAULT-VALUE})")
  int probes = 4;

  @Option(names = "--pin", negatable = true, defaultValue = "true", fallbackValue = "true", description = "pin the SFU process (Parch or Janus) to the last CPU and"
      + " the load generator to the others with taskset, so the two do not compete for a core (default on when"
      + " there are at least 2 CPUs)")
  boolean pin = true;

  @Option(names = "--settle", description = "seconds after a stage starts before measuring (default ${DEFAULT-VALUE})")
  int settle = 2;

  @Option(names = "--seconds", description = "measuring window per stage (default ${DEFAULT-VALUE})")
  int seconds = 8;

  @Option(names = "--only", split = ",", description = "subset of baseline,parch,parch-shared,janus (default all)."
      + " parch: the SFU on its pinned CPU(s), one thread per pinned CPU (the media thread, plus send threads"
      + " beyond one CPU); parch-shared: the SFU and the load generator both on every CPU; a suffix -stN"
      + " (parch-st0, parch-shared-st1, ...) sets the SFU's --send-threads N")
  List<String> only = new ArrayList<>(List.of("baseline", "parch", "parch-shared-st1", "janus"));

  @Option(names = "--gcm", description = "negotiate SRTP_AEAD_AES_128_GCM instead of AES_CM_128_HMAC_SHA1_80")
  boolean gcm;

  @Option(names = "--receivers", description = "receiving threads in the load generator (default ${DEFAULT-VALUE})")
  int receiverThreads = 1;

  @Option(names = "--sfu-jvm-arg", description = "extra JVM argument for parch-sfu (repeatable)")
  List<String> sfuJvmArgs = new ArrayList<>();

  @Option(names = "--sfu-cpus", description = "taskset CPU list for the SFU process instead of the last CPU"
      + " (e.g. 0-1: both cores, shared with the load generator)")
  String sfuCpusOption;

  @Option(names = "--generator-cpus", description = "taskset CPU list for the load generator instead of all but the"
      + " last CPU")
  String generatorCpusOption;

  @Option(names = "--jit-on-sfu-cpu", description = "pinned parch: leave the SFU JVM's JIT compiler, VM and GC threads"
      + " on the SFU's CPU (by default they are moved to the load generator's CPU, as on a server where the JIT runs"
      + " on another core than the media thread)")
  boolean jitOnSfuCpu;

  @Option(names = "--warmup-jit-quiet", description = "pinned parch: extend the warm-up while the SFU's compiler threads"
      + " used more than this % of the last second (default ${DEFAULT-VALUE})")
  double warmupJitQuietPercent = 2;

  @Option(names = "--netns", negatable = true, description = "run the whole bench (generator, SFU, Janus) in a network"
      + " namespace of its own whose lo steers the receive processing (RPS) to the load generator's CPU, so the delivery"
      + " of the SFU's copies into the subscribers' sockets is not done on the SFU's core, as on a server whose"
      + " subscribers are other machines (default off: the host's loopback, where that work runs inside the sender's"
      + " send call; on the development VM the RPS hand-off cost the SFU ~12 % more CPU per copy than that delivery)")
  boolean netns;

  @Option(names = "--in-netns", hidden = true, description = "internal: this JVM already runs in that namespace")
  String inNetns;

  @Option(names = "--warmup-max-extra", description = "cap of that warm-up extension, seconds (default ${DEFAULT-VALUE})")
  int warmupMaxExtra = 30;

  /** Janus's warm-up publishers at most (see {@link #run}). */
  static final int JANUS_WARMUP_PUBLISHERS = 36;

  /** The SFU's housekeeping threads moved to the generator's CPU in the current target, or null. */
  private JitThreads jitThreads;

  private final SynthIdentity identity = SynthIdentity.generate(new SecureRandom());

  /**
   * One stage's figures. {@code latency}: send → user-space receive; {@code kernel}: send → kernel
   * receive stamp (empty without {@link RxStamps}); {@code rxDelay}: kernel stamp → user-space
   * receive, the measuring thread's own delay; {@code clockDriftUs}: how far CLOCK_REALTIME moved
   * against CLOCK_MONOTONIC during the window (the kernel figures are off by up to that).
   */
  record Row(String sfu, int active, int subs, double window, long expected, long received, double sfuCpu,
      double genCpu, Histogram latency, Histogram kernel, Histogram rxDelay, long badStamps, long stampFailures,
      double clockDriftUs, String load, String inSfu, String threads, String tail) {
    double outPerSecond() {
      return received / window;
    }

    double loss() {
      return expected == 0 ? 0 : Math.max(0, 1.0 - (double) received / expected);
    }

    double perCpuSecond() {
      return sfuCpu > 0 ? received / sfuCpu : Double.NaN;
    }

    double us(double pct) {
      return us(latency, pct);
    }

    double kus(double pct) {
      return us(kernel, pct);
    }

    static double us(Histogram h, double pct) {
      return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(pct) / 1000.0;
    }
  }

  /** Kernel receive stamps of the latency probes' datagrams, if this JVM can read them. */
  private RxStamps stamps = RxStamps.unavailable("not loaded");

  /** The command line, for the re-run inside the network namespace. */
  private static List<String> commandLine = List.of();

  public static void main(String[] args) {
    commandLine = List.of(args);
    System.exit(new CommandLine(new SynthBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    int cpus = Runtime.getRuntime().availableProcessors();
    machineCpus = cpus;
    if (netns && inNetns == null) {
      String rps = pin && cpus >= 2 ? (generatorCpusOption != null ? generatorCpusOption : "0-" + (cpus - 2)) : null;
      String name = "parch-synth-" + ProcessHandle.current().pid();
      return LoopbackNetns.relaunch(name, rps, commandLine, List.of("--in-netns", name), m -> log("%s", m));
    }
    if (pin && cpus >= 2) {
      generatorCpus = generatorCpusOption != null ? generatorCpusOption : "0-" + (cpus - 2);
      sfuCpus = sfuCpusOption != null ? sfuCpusOption : Integer.toString(cpus - 1);
      taskset(generatorCpus, ProcessHandle.current().pid());
      log("pinned: load generator to CPU %s, SFU to CPU %s", generatorCpus, sfuCpus);
    }
    warmJitsi();
    stamps = RxStamps.load();
    if (stamps.available()) {
      log("latency: kernel receive stamps (SIOCGSTAMPNS) and user-space receive times");
    } else {
      log("WARNING: kernel receive stamps unavailable (%s): latency from user-space receive times only."
          + " Run the JVM with %s", stamps.unavailableReason(), RxStamps.JVM_FLAGS);
    }
    Map<String, List<Row>> results = new LinkedHashMap<>();
    for (String which : only) {
      log("== %s: %d publishers, %d subscribers, stages %s", which, publishers, subscribers, stages);
      results.put(which, run(which));
    }
    printSummary(results);
    return 0;
  }

  /**
   * Every peer sends an ICE consent check once a second (the SFU drops members without consent,
   * RFC 7675), the peers staggered over the second as real clients' randomised checks are, not
   * all in one burst.
   */
  private static void consentChecks(ScheduledExecutorService consent, List<SynthPeer> all) {
    int ticks = 50;
    int[] tick = new int[1];
    consent.scheduleAtFixedRate(() -> {
      int t = tick[0];
      tick[0] = (t + 1) % ticks;
      for (int i = t; i < all.size(); i += ticks) {
        all.get(i).sendCheck();
      }
    }, 20, 1000 / ticks, TimeUnit.MILLISECONDS);
  }

  /** CPUs of the machine, before this process pins itself. */
  private int machineCpus;

  /** CPU lists for taskset, null when not pinning. */
  private String generatorCpus;
  private String sfuCpus;

  /** Number of CPUs in a taskset list such as {@code 1}, {@code 0-1} or {@code 0,2-3}. */
  static int cpuCount(String list) {
    int n = 0;
    for (String part : list.split(",")) {
      String[] r = part.trim().split("-");
      n += r.length == 1 ? 1 : Integer.parseInt(r[1].trim()) - Integer.parseInt(r[0].trim()) + 1;
    }
    return n;
  }

  /** Sets the CPU affinity of every thread of {@code pid} (children keep the affinity of their creator). */
  private static void taskset(String cpus, long pid) throws Exception {
    Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("taskset -c " + cpus + " " + pid + " failed: " + out);
    }
  }

  private int profile() {
    return gcm ? DtlsSrtpClient.SRTP_AEAD_AES_128_GCM : DtlsSrtpClient.SRTP_AES128_CM_SHA1_80;
  }

  private static void warmJitsi() throws Exception {
    byte[] km = new byte[SrtpKeys.materialLength(DtlsSrtpClient.SRTP_AES128_CM_SHA1_80)];
    new SecureRandom().nextBytes(km);
    SrtpKeys a = new SrtpKeys(DtlsSrtpClient.SRTP_AES128_CM_SHA1_80, km, true);
    SrtpKeys b = new SrtpKeys(DtlsSrtpClient.SRTP_AES128_CM_SHA1_80, km, false);
    Buf buf = new Buf(256);
    buf.getBuffer()[0] = (byte) 0x80;
    buf.set(0, 100);
    a.protect(buf);
    if (!b.unprotect(buf)) {
      throw new IllegalStateException("SRTP self-test failed");
    }
  }

  private List<Row> run(String which) throws Exception {
    List<SynthPeer> pubs = new ArrayList<>();
    List<SynthPeer> subs = new ArrayList<>();
    List<Receiver> receivers = new ArrayList<>();
    List<JsonWs> sockets = new ArrayList<>();
    AutoCloseable sfu = null;
    ScheduledExecutorService consent = Executors.newSingleThreadScheduledExecutor();
    List<ExecutorService> negotiators = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      negotiators.add(Executors.newSingleThreadExecutor());
    }
    boolean shared = which.startsWith("parch-shared") && generatorCpus != null;
    if (shared) {
      // the SFU may use every core: so may the load generator (its threads made from now on inherit it)
      taskset("0-" + (Runtime.getRuntime().availableProcessors() - 1), ProcessHandle.current().pid());
    }
    try {
      for (int i = 0; i < receiverThreads; i++) {
        receivers.add(new Receiver("synth-rx-" + i, probes <= 0, stamps));
      }
      Receiver probeRx = probes > 0 ? new Receiver("synth-probe-rx", true, stamps) : null;
      String host = which.equals("janus") ? janusHost() : "127.0.0.1";
      for (int i = 0; i < publishers; i++) {
        pubs.add(new SynthPeer("pub" + i, true, identity, host));
      }
      for (int i = 0; i < subscribers; i++) {
        subs.add(new SynthPeer("sub" + i, false, identity, host));
      }
      List<SynthPeer> all = new ArrayList<>(pubs);
      all.addAll(subs);
      for (int i = 0; i < all.size(); i++) {
        int sub = i - pubs.size();
        if (probeRx != null && sub >= 0 && sub < probes) {
          probeRx.add(all.get(i));
        } else {
          receivers.get(i % receivers.size()).add(all.get(i));
        }
      }
      if (probeRx != null) {
        receivers.add(probeRx);
      }
      long pid = -1;
      long t0 = System.nanoTime();
      if (which.equals("baseline")) {
        byte[] km = new byte[SrtpKeys.materialLength(profile())];
        new SecureRandom().nextBytes(km);
        for (SynthPeer p : pubs) {
          p.useKeys(new SrtpKeys(profile(), km, true));
        }
        for (SynthPeer s : subs) {
          s.useKeys(new SrtpKeys(profile(), km, false));
        }
      } else {
        if (which.startsWith("parch")) {
          ParchSfuTarget parch = startParch(which, shared);
          sfu = parch;
          pid = parch.pid();
          // ICE checks from the start: the SFU drops members without consent (RFC 7675) after 30 s
          consentChecks(consent, all);
          joinAll(parch, pubs, subs, negotiators, sockets);
        } else if (which.equals("janus")) {
          JanusTarget janus = retry(() -> new JanusTarget(publishers + 8, publishers + subscribers + 64));
          sfu = janus;
          pid = janus.pid();
          if (sfuCpus != null) {
            taskset(sfuCpus, pid);
          }
          signalJanus(janus, pubs, subs, consent, all, t0);
        } else {
          throw new IllegalArgumentException("unknown target " + which);
        }
        awaitRemotes(all, negotiators);
        log("%s: %d peers signalled in %.1f s; ICE + DTLS...", which, all.size(), (System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        handshakes(all.stream().filter(p -> !p.secured()).collect(java.util.stream.Collectors.toList()));
        log("%s: %d DTLS-SRTP associations in %.1f s", which, all.size(), (System.nanoTime() - t1) / 1e9);
      }
      boolean baseline = which.equals("baseline");
      List<Sender.Pub> pubList = new ArrayList<>();
      for (int i = 0; i < pubs.size(); i++) {
        SynthPeer p = pubs.get(i);
        List<java.net.InetSocketAddress> targets = new ArrayList<>();
        if (baseline) {
          subs.forEach(s -> targets.add(s.localAddress()));
        } else {
          targets.add(p.remote());
        }
        pubList.add(new Sender.Pub(p, i, targets));
      }
      int fanout = baseline ? 1 : subs.size();
      // warm up at the largest stage, not with every publisher: beyond saturation the backlog
      // would still be draining when the first stage starts
      int warmPubs = Math.min(pubList.size(), stages.stream().mapToInt(Integer::intValue).max().orElse(pubList.size()));
      if (which.equals("janus")) {
        // Janus (C, no JIT to warm) saturates from 24 publishers on here; warmed at 42 it lost
        // 12.6 % in the 6-publisher stage after it (one loaded run; 0 % when warmed at 36): at most
        // JANUS_WARMUP_PUBLISHERS, as in the session-6 runs
        warmPubs = Math.min(warmPubs, JANUS_WARMUP_PUBLISHERS);
      }
      warmUp(which, pid, pubList.subList(0, warmPubs), fanout, subs);
      List<Row> rows = new ArrayList<>();
      int phase = 1;
      for (int active : stages) {
        int k = Math.min(active, pubList.size());
        rows.add(stage(which, pid, pubList.subList(0, k), fanout, receivers, phase++, sfu));
      }
      return rows;
    } finally {
      if (shared) {
        taskset(generatorCpus, ProcessHandle.current().pid());
      }
      jitThreads = null;
      consent.shutdownNow();
      negotiators.forEach(ExecutorService::shutdownNow);
      sockets.forEach(JsonWs::close);
      receivers.forEach(Receiver::close);
      pubs.forEach(SynthPeer::close);
      subs.forEach(SynthPeer::close);
      if (sfu != null) {
        sfu.close();
      }
    }
  }

  /** Starts parch-sfu for {@code which}, pinned as asked (its JIT/VM/GC threads moved off the pinned core). */
  private ParchSfuTarget startParch(String which, boolean shared) throws Exception {
    List<String> sfuArgs = new ArrayList<>(
        List.of("--room-capacity", Integer.toString(Math.min(1000, publishers + subscribers + 8))));
    int st = which.indexOf("-st");
    if (st >= 0) {
      sfuArgs.addAll(List.of("--send-threads", which.substring(st + "-st".length())));
    } else if (which.equals("parch") && sfuCpus != null) {
      // one thread per pinned CPU: the media thread, plus send threads beyond one CPU
      int n = cpuCount(sfuCpus);
      sfuArgs.addAll(List.of("--send-threads", Integer.toString(Math.max(0, n - 1))));
    }
    ParchSfuTarget parch = retry(() -> new ParchSfuTarget(sfuJar, sfuJvmArgs, sfuArgs));
    if (sfuCpus != null && !shared) {
      try {
        taskset(sfuCpus, parch.pid());
        if (!jitOnSfuCpu) {
          jitThreads = new JitThreads(parch.pid(), generatorCpus);
          log("%s: JIT/VM/GC threads to CPU %s: %s", which, generatorCpus, jitThreads.moveNew());
        }
      } catch (Exception e) {
        parch.close();
        throw e;
      }
    }
    return parch;
  }

  /** Joins the publishers, then the subscribers, in parallel (the SFU coalesces the renegotiations they cause). */
  private void joinAll(ParchSfuTarget parch, List<SynthPeer> pubs, List<SynthPeer> subs,
      List<ExecutorService> negotiators, List<JsonWs> sockets) throws Exception {
    ExecutorService joiners = Executors.newFixedThreadPool(8);
    try {
      List<Future<JsonWs>> joined = new ArrayList<>();
      for (List<SynthPeer> group : List.of(pubs, subs)) {
        joined.clear();
        for (int i = 0; i < group.size(); i++) {
          SynthPeer p = group.get(i);
          ExecutorService n = negotiators.get(i % negotiators.size());
          joined.add(joiners.submit(() -> joinParch(parch, p, n)));
        }
        for (Future<JsonWs> f : joined) {
          sockets.add(f.get(120, TimeUnit.SECONDS));
        }
      }
    } finally {
      joiners.shutdownNow();
    }
  }

  /** Janus: the publishers' feeds first (each up before anyone subscribes), then one multistream subscriber each. */
  private void signalJanus(JanusTarget janus, List<SynthPeer> pubs, List<SynthPeer> subs,
      ScheduledExecutorService consent, List<SynthPeer> all, long t0) throws Exception {
    for (SynthPeer p : pubs) {
      p.setRemote(SynthSdp.parse(janus.publish(p.name, SynthSdp.offer(p))), true);
    }
    // a Janus feed can be subscribed to only once its publisher's PeerConnection is up
    consentChecks(consent, all);
    handshakes(pubs);
    log("janus: %d publishers up in %.1f s", pubs.size(), (System.nanoTime() - t0) / 1e9);
    for (SynthPeer s : subs) {
      janus.subscribe(s.name, offer -> {
        SynthSdp.Remote r = SynthSdp.parse(offer);
        s.setRemote(r, false);
        return SynthSdp.answer(s, r, directions(s));
      });
    }
  }

  /**
   * Warm-up at the largest stage (JIT), then a drain: a backlog the warm-up left (an SFU or a
   * generator that fell behind) must not be charged to the first stage.
   */
  private void warmUp(String which, long pid, List<Sender.Pub> warmPubs, int fanout, List<SynthPeer> subs)
      throws Exception {
    log("%s: warm-up %d s with %d publishers", which, warmup, warmPubs.size());
    try (Sender s = new Sender(warmPubs, fanout)) {
      Thread.sleep(warmup * 1000L);
      if (which.startsWith("parch") && pid > 0) {
        quietJit(which, pid);
      }
    }
    // drain: a backlog the warm-up left (an SFU or a generator that fell behind) must not be
    // charged to the first stage; wait until the subscribers stop receiving (at most 10 s)
    long drainStart = System.nanoTime();
    long before = -1;
    long now = subs.stream().mapToLong(x -> x.rtpReceived).sum();
    while (now != before && System.nanoTime() - drainStart < 10_000_000_000L) {
      Thread.sleep(500);
      before = now;
      now = subs.stream().mapToLong(x -> x.rtpReceived).sum();
    }
    log("%s: warm-up drained in %.1f s", which, (System.nanoTime() - drainStart) / 1e9);
    long warmRx = subs.stream().mapToLong(x -> x.rtpReceived).sum();
    if (warmRx == 0) {
      throw new IllegalStateException(which + ": subscribers received nothing during the warm-up");
    }
    log("%s: warm-up: subscribers decrypted %d packets, refused %d", which, warmRx,
        subs.stream().mapToLong(x -> x.rtpRejected).sum());
  }

  /**
   * Extends the warm-up (senders still running) while the SFU's compiler threads used more than
   * {@link #warmupJitQuietPercent} % of the last second, up to {@link #warmupMaxExtra} s, so no
   * C2 burst lands in a measured stage.
   */
  private void quietJit(String which, long pid) throws Exception {
    long start = System.nanoTime();
    long c0 = JitThreads.compilerNanos(pid);
    long w0 = System.nanoTime();
    for (int extra = 0; ; extra++) {
      Thread.sleep(1000);
      if (jitThreads != null) {
        String moved = jitThreads.moveNew();
        if (!moved.isEmpty()) {
          log("%s: warm-up: new JIT/VM/GC threads to CPU %s: %s", which, generatorCpus, moved);
        }
      }
      long c1 = JitThreads.compilerNanos(pid);
      long w1 = System.nanoTime();
      double pct = 100.0 * (c1 - c0) / (w1 - w0);
      if (pct <= warmupJitQuietPercent || extra + 1 >= warmupMaxExtra) {
        log("%s: warm-up: SFU compiler threads %.1f %% of the last second (limit %.1f %%), warm-up extended by %.1f s%s",
            which, pct, warmupJitQuietPercent, (w1 - start) / 1e9 - 1,
            pct > warmupJitQuietPercent ? " (cap reached, still compiling)" : "");
        return;
      }
      c0 = c1;
      w0 = w1;
    }
  }

  /**
   * CLOCK_REALTIME − CLOCK_MONOTONIC now: of a few readings monotonic-realtime-monotonic, the one
   * with the shortest gap (a preemption between the reads would skew it).
   */
  private static long clockOffset() {
    long best = Long.MAX_VALUE;
    long offset = 0;
    for (int i = 0; i < 20; i++) {
      long m0 = System.nanoTime();
      long r = RxStamps.realtimeNanos();
      long m1 = System.nanoTime();
      if (m1 - m0 < best) {
        best = m1 - m0;
        offset = r - (m0 + (m1 - m0) / 2);
      }
    }
    return offset;
  }

  /** The kernel-stamp figures of a stage for the progress line. */
  private String kernelSummary(Row r) {
    if (!stamps.available()) {
      return "unavailable";
    }
    return String.format(Locale.ROOT, "p50 %.0f µs p99 %.0f µs p99.9 %.0f µs (%d stamps, %d implausible, %d missing);"
        + " measuring thread's receive delay (kernel stamp → read) p50 %.0f µs p99 %.0f µs p99.9 %.0f µs max %.0f µs",
        r.kus(50), r.kus(99), r.kus(99.9), r.kernel().getTotalCount(), r.badStamps(), r.stampFailures(),
        Row.us(r.rxDelay(), 50), Row.us(r.rxDelay(), 99), Row.us(r.rxDelay(), 99.9),
        r.rxDelay().getTotalCount() == 0 ? Double.NaN : r.rxDelay().getMaxValue() / 1000.0);
  }

  /**
   * The probes' datagrams whose kernel-stamp latency exceeded 1 ms, grouped into episodes (late
   * datagrams sent less than 20 ms — one packet period — apart): a stall of the forwarding path
   * delays every packet sent during it, an isolated slow copy only itself. Prints the count, and
   * the worst episodes by start (ms into the window), span, late datagrams and maximum latency.
   */
  static String lateEpisodes(List<long[][]> late, long windowStartReal, long total) {
    int n = late.stream().mapToInt(l -> l[0].length).sum();
    long[][] all = new long[n][];
    int k = 0;
    for (long[][] l : late) {
      for (int i = 0; i < l[0].length; i++) {
        all[k++] = new long[] {l[0][i], l[1][i]};
      }
    }
    java.util.Arrays.sort(all, (x, y) -> Long.compare(x[0], y[0]));
    List<long[]> episodes = new ArrayList<>(); // start, end, count, max
    for (long[] d : all) {
      long[] e = episodes.isEmpty() ? null : episodes.get(episodes.size() - 1);
      if (e != null && d[0] - e[1] < Sender.PERIOD_NANOS) {
        e[1] = d[0];
        e[2]++;
        e[3] = Math.max(e[3], d[1]);
      } else {
        episodes.add(new long[] {d[0], d[0], 1, d[1]});
      }
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "kernel-stamp latency > 1 ms: %d of %d probe datagrams (%.3f %%) in %d episodes", n, total,
        total == 0 ? 0.0 : 100.0 * n / total, episodes.size()));
    List<long[]> worst = new ArrayList<>(episodes);
    worst.sort((x, y) -> Long.compare(y[3], x[3]));
    for (int i = 0; i < Math.min(6, worst.size()); i++) {
      long[] e = worst.get(i);
      sb.append(String.format(Locale.ROOT, "%s at %.0f ms span %.1f ms, %d late, max %.2f ms", i == 0 ? ":" : ";",
          (e[0] - windowStartReal) / 1e6, (e[1] - e[0]) / 1e6, e[2], e[3] / 1e6));
    }
    return sb.toString();
  }

  /** NET_RX softirqs per CPU between two readings of /proc/softirqs, as {@code cpu0 n, cpu1 m}. */
  static String netRxDelta(long[] a, long[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      sb.append(i == 0 ? "" : ", ").append("cpu").append(i).append(' ').append(b[i] - a[i]);
    }
    return sb.length() == 0 ? "unreadable" : sb.toString();
  }

  /** Baseline rows by stage number, for the added latency in the progress lines. */
  private final Map<Integer, Row> baselineByStage = new java.util.HashMap<>();

  private Row stage(String which, long pid, List<Sender.Pub> active, int fanout, List<Receiver> receivers, int phase,
      AutoCloseable sfu) throws Exception {
    try (Sender sender = new Sender(active, fanout)) {
      Thread.sleep(settle * 1000L);
      if (jitThreads != null) {
        String moved = jitThreads.moveNew();
        if (!moved.isEmpty()) {
          log("%s stage %d: new JIT/VM/GC threads to CPU %s: %s", which, phase, generatorCpus, moved);
        }
      }
      String load = loadAverage();
      double cpu0 = pid > 0 ? ProcCpu.seconds(pid) : 0;
      double gen0 = ProcCpu.seconds(ProcessHandle.current().pid());
      JsonNode stats0 = sfu instanceof ParchSfuTarget ? ((ParchSfuTarget) sfu).adminStats(true) : null;
      Map<Long, ThreadSched.Sample> sched0 = pid > 0 ? ThreadSched.read(pid) : Map.of();
      // the SFU's own CPU(s) when pinned apart from the generator: who else used them
      boolean pinnedApart = pid > 0 && sfuCpus != null && !which.startsWith("parch-shared");
      CpuStat.Sample cpuStat0 = pinnedApart ? CpuStat.read(CpuStat.cpus(sfuCpus)) : null;
      long[] netRx0 = LoopbackNetns.netRxSoftirqs();
      receivers.forEach(r -> r.measure(phase));
      long real0 = RxStamps.realtimeNanos();
      long offset0 = clockOffset();
      sender.phase(phase);
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      sender.phase(0);
      long t1 = System.nanoTime();
      long offset1 = clockOffset();
      double cpu1 = pid > 0 ? ProcCpu.seconds(pid) : 0;
      double gen1 = ProcCpu.seconds(ProcessHandle.current().pid());
      String threads = pid > 0 ? ThreadSched.busiest(sched0, ThreadSched.read(pid), 3, (t1 - t0) / 1e9) : null;
      if (pinnedApart) {
        threads += "; " + CpuStat.describe(cpuStat0, CpuStat.read(CpuStat.cpus(sfuCpus)), cpu1 - cpu0, sfuCpus);
      }
      if (threads != null) {
        threads += "; NET_RX softirqs per CPU " + netRxDelta(netRx0, LoopbackNetns.netRxSoftirqs());
      }
      String inSfu = null;
      if (stats0 != null) {
        JsonNode stats1 = ((ParchSfuTarget) sfu).adminStats(false);
        JsonNode l = stats1.path("forwardLatencyMicros");
        JsonNode f = stats1.path("fanOutMicros");
        // GC pauses of the SFU in the window (young and full collections, from its MXBeans)
        long gcs = stats1.path("gcCollections").asLong() - stats0.path("gcCollections").asLong();
        long gcMs = stats1.path("gcMillis").asLong() - stats0.path("gcMillis").asLong();
        // the SFU's CPU per copy it forwarded, by its own counter: a per-copy cost that does not
        // depend on the generator keeping up (a backlog or drops on the receiving side)
        long copies = stats1.path("forwardedPackets").asLong() - stats0.path("forwardedPackets").asLong();
        double cpuPerCopyUs = copies > 0 ? (cpu1 - cpu0) * 1e6 / copies : Double.NaN;
        inSfu = String.format(Locale.ROOT, "in-SFU read→sendmmsg p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs;"
            + " fan-out of one packet p50 %.0f µs, p99 %.0f µs, max %.0f µs; SFU CPU per forwarded copy %.2f µs"
            + " (%d copies); SFU GC %d pauses, %d ms",
            l.path("p50").asDouble(), l.path("p99").asDouble(), l.path("p999").asDouble(),
            f.path("p50").asDouble(), f.path("p99").asDouble(), f.path("max").asDouble(), cpuPerCopyUs, copies,
            gcs, gcMs);
      }
      // late packets of the window still count (a backlog is latency, not loss): wait until they stop
      long drainEnd = System.nanoTime() + 10_000_000_000L;
      long last = -1;
      while (System.nanoTime() < drainEnd) {
        Thread.sleep(300);
        long now = receivers.stream().mapToLong(Receiver::measuredPackets).sum();
        if (now == last) {
          break;
        }
        last = now;
      }
      receivers.forEach(Receiver::stop);
      Histogram h = Receiver.newHistogram();
      Histogram kh = Receiver.newHistogram();
      Histogram dh = Receiver.newHistogram();
      long received = 0;
      long bad = 0;
      long failed = 0;
      List<long[][]> late = new ArrayList<>();
      for (Receiver r : receivers) {
        if (r.kernelStamps()) {
          late.add(r.late());
        }
        if (r.recordsLatency()) {
          h.add(r.histogram());
        }
        if (r.kernelStamps()) {
          kh.add(r.kernelHistogram());
          dh.add(r.rxDelayHistogram());
          bad += r.badStamps();
          failed += r.stampFailures();
        }
        received += r.measuredPackets();
      }
      double driftUs = (offset1 - offset0) / 1000.0;
      Row row = new Row(which, active.size(), fanout == 1 ? active.get(0).targets.size() : fanout, (t1 - t0) / 1e9,
          sender.expected(phase), received, cpu1 - cpu0, gen1 - gen0, h, kh, dh, bad, failed, driftUs, load, inSfu,
          threads, lateEpisodes(late, real0, kh.getTotalCount()));
      log("%s: %d publishers → %.0f pkt/s out, loss %.3f%%, SFU CPU %.2f s (%.0f pkt per CPU-s), generator CPU %.2f s,"
          + " latency (user-space receive) p50 %.0f µs p99 %.0f µs p99.9 %.0f µs, latency (kernel rx stamp) %s,"
          + " load %s%s", which, row.active(), row.outPerSecond(),
          100 * row.loss(), row.sfuCpu(), row.perCpuSecond(), row.genCpu(), row.us(50), row.us(99), row.us(99.9),
          kernelSummary(row), load, inSfu == null ? "" : "; " + inSfu);
      if (threads != null) {
        log("%s: %d publishers: SFU threads in the window: %s", which, row.active(), threads);
      }
      if (stamps.available()) {
        log("%s: %d publishers: %s", which, row.active(), row.tail());
      }
      if (which.equals("baseline")) {
        baselineByStage.put(phase, row);
      } else if (baselineByStage.containsKey(phase)) {
        Row b = baselineByStage.get(phase);
        log("%s: %d publishers: added p99, kernel rx stamp %.0f µs; added p99, user-space receive %.0f µs", which,
            row.active(), row.kus(99) - b.kus(99), row.us(99) - b.us(99));
      }
      if (Math.abs(driftUs) > 50) {
        log("WARNING: %s stage %d: CLOCK_REALTIME moved %.0f µs against CLOCK_MONOTONIC during the window;"
            + " kernel-stamp latency is off by up to that", which, row.active(), driftUs);
      }
      return row;
    }
  }

  private static Function<SynthSdp.Section, String> directions(SynthPeer p) {
    return s -> {
      switch (s.direction()) {
        case "sendonly":
          return p.publisher ? "inactive" : "recvonly";
        case "recvonly":
          return p.publisher ? "sendonly" : "inactive";
        case "sendrecv":
          return p.publisher ? "sendonly" : "recvonly";
        default:
          return "inactive";
      }
    };
  }

  private JsonWs joinParch(ParchSfuTarget parch, SynthPeer p, ExecutorService negotiator) throws Exception {
    JsonWs ws = new JsonWs(parch.signalUri(), null);
    ws.onFrame(f -> {
      String type = f.path("type").asText();
      if (type.equals("answer")) {
        String sdp = f.path("sdp").asText();
        negotiator.execute(() -> p.setRemote(SynthSdp.parse(sdp), true));
      } else if (type.equals("offer")) {
        String sdp = f.path("sdp").asText();
        long revision = f.path("revision").asLong();
        negotiator.execute(() -> {
          SynthSdp.Remote r = SynthSdp.parse(sdp);
          p.setRemote(r, true);
          ws.send(Map.of("type", "answer", "sdp", SynthSdp.answer(p, r, directions(p)), "revision", revision));
        });
      }
    });
    Map<String, Object> join = new LinkedHashMap<>();
    join.put("type", "join");
    join.put("token", ParchSfuTarget.token(p.name, p.publisher));
    if (p.publisher) {
      join.put("sdp", SynthSdp.offer(p));
    }
    ws.send(join);
    JsonNode joined = ws.await(n -> n.path("type").asText().equals("joined") || n.path("type").asText().equals("error"),
        Duration.ofSeconds(20));
    if (!joined.path("type").asText().equals("joined")) {
      throw new IllegalStateException("join refused: " + joined);
    }
    return ws;
  }

  private static void awaitRemotes(List<SynthPeer> all, List<ExecutorService> negotiators) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      // a no-op through each negotiator thread: every answer queued before it is sent
      for (ExecutorService n : negotiators) {
        n.submit(() -> { }).get(60, TimeUnit.SECONDS);
      }
      if (all.stream().allMatch(SynthPeer::hasRemote)) {
        Thread.sleep(300);
        for (ExecutorService n : negotiators) {
          n.submit(() -> { }).get(60, TimeUnit.SECONDS);
        }
        return;
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("some peers never got the SFU's description");
      }
      Thread.sleep(50);
    }
  }

  private void handshakes(List<SynthPeer> all) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (SynthPeer p : all) {
        done.add(pool.submit(() -> {
          p.handshake(profile(), p.remoteFingerprint(), Duration.ofSeconds(30));
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Janus (libnice) gathers host candidates only on non-loopback interfaces and did not check a
   * 127.0.0.1 candidate from there; its peers therefore bind this machine's own first IPv4
   * interface address: still local traffic (the kernel routes it over {@code lo}), never leaving
   * the host.
   */
  private String janusHost() throws java.net.SocketException {
    if (inNetns != null) {
      return LoopbackNetns.ADDRESS;
    }
    for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return "127.0.0.1";
  }

  /** Starts an SFU, again on fresh ports if another process took a probed free port meanwhile. */
  private static <T> T retry(Callable<T> start) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return start.call();
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw e;
        }
        log("start failed (%s), retrying on other ports", e.getMessage().lines().findFirst().orElse(""));
      }
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }

  private static void log(String fmt, Object... args) {
    System.out.printf(Locale.ROOT, "[%tT] " + fmt + "%n", prepend(new java.util.Date(), args));
    System.out.flush();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private void printSummary(Map<String, List<Row>> results) {
    List<Row> base = results.get("baseline");
    System.out.println();
    System.out.printf(Locale.ROOT, "Synthetic DTLS-SRTP load: %d publishers × 50 pkt/s (staggered), %d subscribers each"
        + " taking every active publisher, %s, %d s per stage, %d cores%n", publishers, subscribers,
        gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80", seconds, machineCpus);
    System.out.printf(Locale.ROOT, "%s%n", inNetns != null
        ? "network namespace " + inNetns + ": its lo steers receive processing (RPS) to the load generator's CPU "
            + (generatorCpus == null ? "(none: not pinned)" : generatorCpus)
            + " (--netns) — the subscribers' receive work is not on the SFU's core"
        : "host loopback (the default; --netns: own namespace with RPS): the receive processing of every copy runs on the"
            + " sender's CPU");
    System.out.printf(Locale.ROOT, "%s; latency from %s; warm-up %d s%n", sfuCpus == null ? "not pinned"
        : "SFU pinned to CPU " + sfuCpus + ", load generator to CPU " + generatorCpus
            + " (parch-shared: both on every CPU); pinned parch: SFU JIT/VM/GC threads "
            + (jitOnSfuCpu ? "on the SFU's CPU (--jit-on-sfu-cpu)" : "moved to the generator's CPU " + generatorCpus),
        probes > 0 ? probes + " probe subscribers on their own thread" : "every subscriber", warmup);
    if (!stamps.available()) {
      System.out.printf(Locale.ROOT, "WARNING: no kernel receive stamps (%s); run the JVM with %s%n",
          stamps.unavailableReason(), RxStamps.JVM_FLAGS);
    }
    System.out.println("Latency: kernel rx stamp = send stamp → the kernel's receive stamp of the datagram (on loopback"
        + " taken inside the sender's send call: when the copy left the SFU); user-space receive = send stamp → the"
        + " measuring thread's read. Added = through-SFU percentile − baseline percentile of the same stage.");
    System.out.println("| SFU | active pubs | pkt/s out | loss | SFU CPU s | SFU cores busy | pkt out per CPU-s |"
        + " added p99, kernel rx stamp (µs) | added p99, user-space receive (µs) |"
        + " latency p50 / p99 / p99.9 µs, kernel rx stamp | latency p50 / p99 / p99.9 µs, user-space receive |"
        + " added p50 / p99 / p99.9 µs, kernel rx stamp | added p50 / p99 / p99.9 µs, user-space receive | load avg |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|");
    for (Map.Entry<String, List<Row>> e : results.entrySet()) {
      for (int i = 0; i < e.getValue().size(); i++) {
        Row r = e.getValue().get(i);
        Row b = base != null && i < base.size() && !e.getKey().equals("baseline") ? base.get(i) : null;
        String addedK = b == null ? "—" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f", r.kus(50) - b.kus(50),
            r.kus(99) - b.kus(99), r.kus(99.9) - b.kus(99.9));
        String addedU = b == null ? "—" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f", r.us(50) - b.us(50),
            r.us(99) - b.us(99), r.us(99.9) - b.us(99.9));
        // NaN: no kernel stamps (or no datagrams) for that figure
        System.out.print(String.format(Locale.ROOT, "| %s | %d | %.0f | %.3f%% | %s | %s | %s | %s | %s | %.0f / %.0f / %.0f"
            + " | %.0f / %.0f / %.0f | %s | %s | %s |%n",
            r.sfu(), r.active(), r.outPerSecond(), 100 * r.loss(),
            r.sfuCpu() > 0 ? String.format(Locale.ROOT, "%.2f", r.sfuCpu()) : "—",
            r.sfuCpu() > 0 ? String.format(Locale.ROOT, "%.2f", r.sfuCpu() / r.window()) : "—",
            r.sfuCpu() > 0 ? String.format(Locale.ROOT, "%.0f", r.perCpuSecond()) : "—",
            b == null ? "—" : String.format(Locale.ROOT, "**%.0f**", r.kus(99) - b.kus(99)),
            b == null ? "—" : String.format(Locale.ROOT, "%.0f", r.us(99) - b.us(99)),
            r.kus(50), r.kus(99), r.kus(99.9), r.us(50), r.us(99), r.us(99.9), addedK, addedU, r.load())
            .replace("NaN", "—"));
      }
    }
    System.out.println();
    System.out.println("Measuring side: kernel receive stamp → the measuring thread's read of the same datagram"
        + " (its wake-up, and the reading and decrypting of the datagrams before it); implausible stamps are"
        + " not counted; clock drift = CLOCK_REALTIME − CLOCK_MONOTONIC change over the window.");
    System.out.println("| SFU | active pubs | receive delay p50 / p99 / p99.9 / max µs | kernel stamps | implausible"
        + " | missing | clock drift µs |");
    System.out.println("|---|---:|---|---:|---:|---:|---:|");
    for (Map.Entry<String, List<Row>> e : results.entrySet()) {
      for (Row r : e.getValue()) {
        Histogram d = r.rxDelay();
        System.out.print(String.format(Locale.ROOT, "| %s | %d | %.0f / %.0f / %.0f / %.0f | %d | %d | %d | %.1f |%n", r.sfu(),
            r.active(), Row.us(d, 50), Row.us(d, 99), Row.us(d, 99.9),
            d.getTotalCount() == 0 ? Double.NaN : d.getMaxValue() / 1000.0, r.kernel().getTotalCount(),
            r.badStamps(), r.stampFailures(), r.clockDriftUs()).replace("NaN", "—"));
      }
    }
    List<Row> j = results.get("janus");
    for (Map.Entry<String, List<Row>> e : results.entrySet()) {
      List<Row> p = e.getValue();
      if (!e.getKey().startsWith("parch") || j == null) {
        continue;
      }
      for (int i = 0; i < Math.min(p.size(), j.size()); i++) {
        System.out.printf(Locale.ROOT, "stage %d (%d publishers): packets out per CPU-second %s/janus = %.2f;"
            + " CPU per packet %s/janus = %.2f%n", i + 1, p.get(i).active(), e.getKey(),
            p.get(i).perCpuSecond() / j.get(i).perCpuSecond(), e.getKey(), j.get(i).perCpuSecond() / p.get(i).perCpuSecond());
      }
    }
    for (Map.Entry<String, List<Row>> e : results.entrySet()) {
      for (Row r : e.getKey().startsWith("parch") ? e.getValue() : List.<Row>of()) {
        if (r.inSfu() != null) {
          System.out.printf(Locale.ROOT, "%s stage %d publishers: %s%n", e.getKey(), r.active(), r.inSfu());
        }
      }
    }
    for (Map.Entry<String, List<Row>> e : results.entrySet()) {
      for (Row r : e.getValue()) {
        if (r.threads() != null) {
          System.out.printf(Locale.ROOT, "%s stage %d publishers: SFU threads: %s%n", e.getKey(), r.active(),
              r.threads());
        }
        if (stamps.available()) {
          System.out.printf(Locale.ROOT, "%s stage %d publishers: %s%n", e.getKey(), r.active(), r.tail());
        }
      }
    }
  }
}
