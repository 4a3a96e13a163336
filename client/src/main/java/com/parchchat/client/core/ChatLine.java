package com.parchchat.client.core;

import com.parchchat.protocol.api.Message;

/**
 * One line of a channel as the UI shows it: a stored {@link Message}, or one of our own sends that
 * the host has not acknowledged yet (then {@code message.id()} is meaningless and the line is
 * keyed by its nonce).
 */
public record ChatLine(Message message, Delivery delivery, String failure) {

  /** Where our own message stands; stored messages are always {@link #STORED}. */
  public enum Delivery { STORED, SENDING, FAILED }

  public static ChatLine stored(Message m) {
    return new ChatLine(m, Delivery.STORED, null);
  }

  public boolean pending() {
    return delivery != Delivery.STORED;
  }

  /** Stable key while the line lives: {@code m<id>} for stored, {@code n<nonce>} for pending. */
  public String key() {
    return pending() ? "n" + message.nonce() : "m" + message.id();
  }
}
