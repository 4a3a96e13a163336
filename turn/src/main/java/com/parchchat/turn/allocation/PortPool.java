package com.parchchat.turn.allocation;

import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The relayed port range [min, max]. Ports are handed out from a random starting point
 * (RFC 8656 §7.2 suggests unpredictable ports) and returned when an allocation ends. A port
 * that the OS refuses to bind is simply released again and the next one is tried by the caller.
 */
public final class PortPool {
  private final int min;
  private final int max;
  private final BitSet used;
  private int inUse;

  public PortPool(int min, int max) {
    this.min = min;
    this.max = max;
    this.used = new BitSet(max - min + 1);
  }

  /** A free port, even if requested, or -1 when the range is exhausted. */
  public synchronized int acquire(boolean even) {
    int size = max - min + 1;
    int start = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int idx = (start + i) % size;
      int port = min + idx;
      if (!used.get(idx) && (!even || port % 2 == 0)) {
        used.set(idx);
        inUse++;
        return port;
      }
    }
    return -1;
  }

  /**
   * An even port whose next higher port is free too, both claimed (EVEN-PORT with the R bit,
   * RFC 8656 §7.2 step 8: the pair or nothing), or -1 when the range holds no free pair.
   */
  public synchronized int acquirePair() {
    int size = max - min + 1;
    int start = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int idx = (start + i) % size;
      int port = min + idx;
      if (port % 2 == 0 && port < max && !used.get(idx) && !used.get(idx + 1)) {
        used.set(idx);
        used.set(idx + 1);
        inUse += 2;
        return port;
      }
    }
    return -1;
  }

  /** Claims a specific port (for EVEN-PORT's reserved neighbour); false if taken or out of range. */
  public synchronized boolean acquireExact(int port) {
    if (port < min || port > max || used.get(port - min)) {
      return false;
    }
    used.set(port - min);
    inUse++;
    return true;
  }

  public synchronized void release(int port) {
    if (port >= min && port <= max && used.get(port - min)) {
      used.clear(port - min);
      inUse--;
    }
  }

  public synchronized int inUse() {
    return inUse;
  }
}
