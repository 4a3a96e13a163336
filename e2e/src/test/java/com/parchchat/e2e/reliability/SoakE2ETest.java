package com.parchchat.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.bench.soak.SoakBench;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 point 4 in CI: the soak ({@link SoakBench}: real relay, host and SFU jars as processes,
 * {@code client.core} clients chatting in one space, three {@code client.voice} participants with
 * tones in a voice channel of it, joined through host and relay, each participant in its own JVM) for
 * 2 minutes at a reduced scale.
 * The 30-minute, 500-client run is in docs/performance.md ("## Soak").
 *
 * <p>What must hold, each a plain count or a generous bound, no timing: every message posted reaches
 * every client exactly once (the 50 in the bench JVM and the reader in its own JVM, which also
 * measured latency in every window); the open file descriptors of relay, host and SFU do not grow
 * after the first window (slack for a transient socket or journal file); heap used after a full GC
 * stays within twice its first-window value plus 32 MiB; thread counts do not grow by more than a
 * pool's worth; and in every window each voice participant heard the tone of each other one, and voice
 * packets kept arriving.
 *
 * <p>The latency stability verdict (last-third p99 against first-third p99, see
 * {@link SoakBench.Stability}) is computed and printed but not asserted here: with 2 minutes in windows
 * of 20 s each third is 40 s, and on a 2-core CI machine shared with other builds a single burst of
 * load moves one third's p99 by seconds (2.5–7.4 s p99 windows were seen next to sub-second ones in
 * the same run), so the verdict would report the machine, not the services. It is judged on the
 * quiet-machine 30-minute run (docs/performance.md "## Soak").
 */
class SoakE2ETest {
  static final int FD_SLACK = 16;
  static final int THREAD_SLACK = 24;

  @TempDir Path dir;

  @Test
  void twoMinutesOfChatAndVoiceLeakNothingAndLoseNothing() throws Exception {
    SoakBench.Report r = SoakBench.run("--relay-jar", RelStack.jar("relay").toString(),
        "--host-jar", RelStack.jar("host").toString(), "--sfu-jar", RelStack.jar("sfu").toString(),
        "--clients", "50", "--voice-participants", "3", "--interval-ms", "5000",
        "--duration-seconds", "120", "--sample-seconds", "20", "--drain-seconds", "90",
        "--work-dir", dir.resolve("soak").toString());
    List<SoakBench.Window> w = r.windows();
    SoakBench.Stability st = r.stability();
    System.out.printf(Locale.ROOT, "soak in CI: %d clients, %d voice, %d messages, %d missing, %d duplicated, "
        + "%d windows; latency first third p50 %.1f p99 %.1f ms, last third p50 %.1f p99 %.1f ms (%s, not asserted)%n",
        r.clients(), r.voiceParticipants(), r.sent(), r.missing(), r.duplicates(), w.size(), st.firstP50Ms(),
        st.firstP99Ms(), st.lastP50Ms(), st.lastP99Ms(), st.pass() ? "PASS" : "FAIL");

    assertThat(w).as("windows of 20 s in 2 minutes").hasSizeGreaterThanOrEqualTo(3);
    assertThat(r.sent()).isPositive();
    assertThat(r.missing()).as("messages a client (in the bench JVM or the reader process) never got").isZero();
    assertThat(r.duplicates()).as("messages a client got twice").isZero();
    assertThat(st.windowsPerThird()).as("windows in each third of the stability summary").isGreaterThanOrEqualTo(2);
    assertThat(st.firstP99Ms()).as("first-third p99 measured by the reader process").isPositive();
    assertThat(st.lastP99Ms()).as("last-third p99 measured by the reader process").isPositive();
    assertThat(r.voiceFailures()).as("voice participants (own JVMs) that died or never got in; see their "
        + "voice-N.out/.err in the work dir").isZero();

    checkProcess("relay", w, SoakBench.Window::relay);
    checkProcess("host", w, SoakBench.Window::host);
    checkProcess("sfu", w, SoakBench.Window::sfu);

    for (SoakBench.Window x : w) {
      assertThat(x.received()).as("messages the reader process held by %d s", x.seconds()).isPositive();
      assertThat(x.p99Ms()).as("reader latency measured in the window ending at %d s", x.seconds()).isPositive();
      assertThat(x.voicePairs()).isEqualTo(6);
      assertThat(x.voicePairsHeard()).as("pairs heard in the window ending at %d s", x.seconds())
          .isEqualTo(x.voicePairs());
      assertThat(x.voicePackets()).as("voice packets in the window ending at %d s", x.seconds()).isPositive();
      assertThat(x.voiceFailures()).as("voice participants failed by %d s", x.seconds()).isZero();
    }
  }

  private static void checkProcess(String name, List<SoakBench.Window> w, Function<SoakBench.Window, SoakBench.Proc> p) {
    SoakBench.Proc first = p.apply(w.get(0));
    assertThat(first).as(name + " sampled").isNotNull();
    assertThat(first.heapAfterGcMiB()).as(name + " heap read by jcmd").isPositive();
    for (SoakBench.Window x : w) {
      SoakBench.Proc now = p.apply(x);
      assertThat(now.fds()).as("%s fds at %d s (first window %d)", name, x.seconds(), first.fds())
          .isLessThanOrEqualTo(first.fds() + FD_SLACK);
      assertThat(now.heapAfterGcMiB()).as("%s heap after GC at %d s (first window %.1f MiB)", name, x.seconds(),
          first.heapAfterGcMiB()).isLessThanOrEqualTo(2 * first.heapAfterGcMiB() + 32);
      assertThat(now.threads()).as("%s threads at %d s (first window %d)", name, x.seconds(), first.threads())
          .isLessThanOrEqualTo(first.threads() + THREAD_SLACK);
    }
  }
}
