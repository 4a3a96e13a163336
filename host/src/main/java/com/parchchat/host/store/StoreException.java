package com.parchchat.host.store;

/** The database failed (I/O, corruption, closed store); not a problem with the caller's input. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
