package com.parchchat.bench.sfu.synth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pieces of SynthBench's network-namespace mode that need no namespace. */
class LoopbackNetnsTest {
  @Test
  void rpsMaskOfATasksetList() {
    assertThat(LoopbackNetns.mask("0")).isEqualTo("1");
    assertThat(LoopbackNetns.mask("0-0")).isEqualTo("1");
    assertThat(LoopbackNetns.mask("0-2")).isEqualTo("7");
    assertThat(LoopbackNetns.mask("1,3")).isEqualTo("a");
  }

  @Test
  void netRxSoftirqsHasOneCounterPerCpu() {
    long[] a = LoopbackNetns.netRxSoftirqs();
    assertThat(a).isNotEmpty();
    assertThat(SynthBench.netRxDelta(a, a)).startsWith("cpu0 0");
    assertThat(SynthBench.netRxDelta(new long[] {1, 2}, new long[] {4, 9})).isEqualTo("cpu0 3, cpu1 7");
  }
}
