package com.parchchat.turn.allocation;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * All allocations by 5-tuple, with the quotas of RFC 8656 §7.2 step 10 (486 per user,
 * 508 in total), the relayed port pool and EVEN-PORT reservations (§7.2, RESERVATION-TOKEN
 * valid for 30 s). Quota checks and insertion happen under one lock so two concurrent
 * Allocates cannot both squeeze under a limit.
 */
public final class AllocationManager {
  /** RFC 8656 §7.2: a reservation token is valid for "about 30 seconds". */
  public static final long RESERVATION_LIFETIME_MILLIS = 30_000;

  private final Map<FiveTuple, Allocation> byFiveTuple = new ConcurrentHashMap<>();
  private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
  private final Map<Long, Reservation> reservations = new ConcurrentHashMap<>();
  private final PortPool ports;
  private final int userQuota;
  private final int totalQuota;
  private final long maxBps;
  private final Clock clock;
  private final Consumer<Allocation> onRemoved;

  private record Reservation(int port, long expiresAt) {}

  /** Outcome of {@link #create}: the new allocation, or the STUN error code to answer. */
  public record Creation(Allocation allocation, int errorCode) {}

  public AllocationManager(int minPort, int maxPort, int userQuota, int totalQuota, long maxBps, Clock clock,
      Consumer<Allocation> onRemoved) {
    this.ports = new PortPool(minPort, maxPort);
    this.userQuota = userQuota;
    this.totalQuota = totalQuota;
    this.maxBps = maxBps;
    this.clock = clock;
    this.onRemoved = onRemoved;
  }

  public Allocation get(FiveTuple fiveTuple) {
    return byFiveTuple.get(fiveTuple);
  }

  public Collection<Allocation> all() {
    return byFiveTuple.values();
  }

  public int count() {
    return byFiveTuple.size();
  }

  public PortPool ports() {
    return ports;
  }

  /**
   * Registers a pending allocation if quotas allow. Error codes: 437 if the 5-tuple is
   * taken, 486 user quota, 508 total capacity.
   */
  public synchronized Creation create(FiveTuple fiveTuple, String username, String quotaKey, ClientSink client,
      byte[] transactionId) {
    if (byFiveTuple.containsKey(fiveTuple)) {
      return new Creation(null, 437);
    }
    if (userQuota > 0 && perUser.getOrDefault(quotaKey, 0) >= userQuota) {
      return new Creation(null, 486);
    }
    if (totalQuota > 0 && byFiveTuple.size() >= totalQuota) {
      return new Creation(null, 508);
    }
    Allocation a = new Allocation(fiveTuple, username, quotaKey, client, transactionId, maxBps, clock.millis());
    byFiveTuple.put(fiveTuple, a);
    perUser.merge(quotaKey, 1, Integer::sum);
    return new Creation(a, 0);
  }

  /** Removes an allocation, frees its port and quota, closes its relay socket (idempotent). */
  public void remove(Allocation a) {
    synchronized (this) {
      if (a.isClosed() || !byFiveTuple.remove(a.fiveTuple(), a)) {
        return;
      }
      a.markClosed();
      perUser.computeIfPresent(a.quotaKey(), (k, n) -> n <= 1 ? null : n - 1);
    }
    if (a.relayPort() > 0) {
      ports.release(a.relayPort());
    }
    if (a.relay() != null) {
      a.relay().close();
    }
    onRemoved.accept(a);
  }

  /** Reserves {@code port} for a later Allocate with RESERVATION-TOKEN; returns the token. */
  public long reserve(int port) {
    long token = ThreadLocalRandom.current().nextLong();
    reservations.put(token, new Reservation(port, clock.millis() + RESERVATION_LIFETIME_MILLIS));
    return token;
  }

  /** Takes a reserved port out of the reservations, or -1 if the token is unknown or expired. */
  public int redeem(long token) {
    Reservation r = reservations.remove(token);
    if (r == null) {
      return -1;
    }
    if (clock.millis() >= r.expiresAt()) {
      ports.release(r.port());
      return -1;
    }
    return r.port();
  }

  /** Expires allocations, permissions, channels and reservations; returns the allocations removed. */
  public List<Allocation> sweep() {
    long now = clock.millis();
    List<Allocation> expired = new ArrayList<>();
    for (Allocation a : byFiveTuple.values()) {
      if (a.relay() != null && a.isExpired(now)) {
        expired.add(a);
      } else {
        a.prune(now);
      }
    }
    expired.forEach(this::remove);
    reservations.entrySet().removeIf(e -> {
      if (now >= e.getValue().expiresAt()) {
        ports.release(e.getValue().port());
        return true;
      }
      return false;
    });
    return expired;
  }
}
