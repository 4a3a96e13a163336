package com.parchchat.bench.turn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * TurnBench's load lengths and CPU reading. A 10-client load of 10 s was 25-40 CPU ticks of
 * either server, so one tick moved the ratio by 3-4 %; measured loads now send at least
 * {@code --min-messages} messages, and the CPU is split into user and system time.
 */
class TurnBenchLoadsTest {

  @Test
  void fewClientsSendLongerSoEveryLoadHasTheLeastMessages() {
    assertThat(TurnBench.measuredSeconds(10, 15, 30_000)).isEqualTo(60);
    assertThat(TurnBench.measuredSeconds(100, 15, 30_000)).isEqualTo(15);
    assertThat(TurnBench.measuredSeconds(500, 15, 30_000)).isEqualTo(15);
    // rounded up: 1,000 messages from 7 clients at 50/s need 2.9 s
    assertThat(TurnBench.measuredSeconds(7, 1, 1_000)).isEqualTo(3);
    assertThat(TurnBench.measuredSeconds(10, 15, 0)).isEqualTo(15);
  }

  @Test
  void userTimeIsAPartOfTheProcessCpuTime() throws Exception {
    long pid = ProcessHandle.current().pid();
    long jit = TurnBench.jitTicks(pid); // each read before the total it must not exceed: CPU time only grows
    long user = TurnBench.userTicks(pid);
    long all = TurnBench.cpuTicks(pid);
    assertThat(jit).isNotNegative();
    assertThat(user).isNotNegative();
    assertThat(all).isGreaterThanOrEqualTo(user).isGreaterThanOrEqualTo(jit);
  }
}
