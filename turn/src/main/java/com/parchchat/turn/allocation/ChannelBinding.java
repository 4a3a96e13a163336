package com.parchchat.turn.allocation;

import java.net.InetSocketAddress;

/**
 * A channel binding (RFC 8656 §12): channel number ↔ peer transport address, valid for
 * 10 minutes unless refreshed by another ChannelBind.
 */
public final class ChannelBinding {
  /** RFC 8656 §12: "a channel binding lasts for 10 minutes unless refreshed". */
  public static final long LIFETIME_MILLIS = 600_000;

  private final int number;
  private final InetSocketAddress peer;
  private volatile long expiresAt;
  /** Expiry of the peer's permission as last seen by {@link Allocation#hasPermission(ChannelBinding, long)}. */
  long permittedUntil;

  ChannelBinding(int number, InetSocketAddress peer, long expiresAt) {
    this.number = number;
    this.peer = peer;
    this.expiresAt = expiresAt;
  }

  public int number() {
    return number;
  }

  public InetSocketAddress peer() {
    return peer;
  }

  public long expiresAt() {
    return expiresAt;
  }

  void refresh(long until) {
    this.expiresAt = until;
  }
}
