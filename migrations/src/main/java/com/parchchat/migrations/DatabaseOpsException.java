package com.parchchat.migrations;

/** A database operation refused or failed; the message says why in operator terms. */
public final class DatabaseOpsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DatabaseOpsException(String message) {
    super(message);
  }

  public DatabaseOpsException(String message, Throwable cause) {
    super(message, cause);
  }
}
