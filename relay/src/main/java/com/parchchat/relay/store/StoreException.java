package com.parchchat.relay.store;

/** A database failure; the HTTP and WebSocket layers turn it into an {@code internal} error. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when the failure is a UNIQUE constraint violation. */
  public boolean isUniqueViolation() {
    Throwable c = getCause();
    return c != null && c.getMessage() != null && c.getMessage().contains("UNIQUE");
  }
}
