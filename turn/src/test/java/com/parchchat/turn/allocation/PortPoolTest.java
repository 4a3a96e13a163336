package com.parchchat.turn.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortPoolTest {

  @Test
  void handsOutEveryPortOnceThenReportsExhaustion() {
    PortPool pool = new PortPool(50000, 50009);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      seen.add(pool.acquire(false));
    }
    assertThat(seen).hasSize(10).allMatch(p -> p >= 50000 && p <= 50009);
    assertThat(pool.acquire(false)).isEqualTo(-1);
    pool.release(50004);
    assertThat(pool.acquire(true)).isEqualTo(50004);
    assertThat(pool.inUse()).isEqualTo(10);
  }

  @Test
  void evenAndExactPorts() {
    PortPool pool = new PortPool(50001, 50003);
    assertThat(pool.acquire(true)).isEqualTo(50002);
    assertThat(pool.acquire(true)).isEqualTo(-1);
    assertThat(pool.acquireExact(50003)).isTrue();
    assertThat(pool.acquireExact(50003)).isFalse();
    assertThat(pool.acquireExact(50004)).isFalse();
  }

  @Test
  void pairsAreAnEvenPortAndItsFreeNeighbour() {
    PortPool pool = new PortPool(50001, 50006);
    assertThat(pool.acquireExact(50003)).isTrue(); // spoils the pair 50002/50003
    assertThat(pool.acquirePair()).isEqualTo(50004);
    assertThat(pool.inUse()).isEqualTo(3);
    assertThat(pool.acquirePair()).isEqualTo(-1); // 50006 has no neighbour in the range
    pool.release(50003);
    assertThat(pool.acquirePair()).isEqualTo(50002);
  }
}
