package com.parchchat.host.relaylink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void ceilingDoublesUpToTheCapAndDelaysStayWithin() {
    Backoff b = new Backoff(100, 5_000);
    assertThat(b.ceiling(0)).isEqualTo(100);
    assertThat(b.ceiling(3)).isEqualTo(800);
    assertThat(b.ceiling(100)).isEqualTo(5_000);
    for (int i = 0; i < 200; i++) {
      assertThat(b.nextDelayMillis()).isBetween(100L, 5_000L);
    }
  }

  @Test
  void jitterSpreadsDelaysAndResetStartsSmall() {
    Backoff b = new Backoff(100, 100_000);
    for (int i = 0; i < 20; i++) {
      b.nextDelayMillis();
    }
    java.util.Set<Long> distinct = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      distinct.add(b.nextDelayMillis());
    }
    assertThat(distinct.size()).isGreaterThan(10);
    b.reset();
    assertThat(b.nextDelayMillis()).isEqualTo(100);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(10, 5)).isInstanceOf(IllegalArgumentException.class);
  }
}
