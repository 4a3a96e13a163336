package com.parchchat.client.core;

import com.parchchat.protocol.signal.ErrorCode;
import java.util.Objects;

/**
 * A failed client operation with the protocol's stable {@link ErrorCode} and a message fit to show
 * a person. Network failures map to {@link ErrorCode#UNAVAILABLE}.
 */
public final class ClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public ClientException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ClientException(ErrorCode code, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  /** Unwraps CompletionException/ExecutionException layers to a ClientException if there is one. */
  public static ClientException of(Throwable t) {
    Throwable c = t;
    while (c != null) {
      if (c instanceof ClientException) {
        return (ClientException) c;
      }
      c = c.getCause();
    }
    String msg = t == null ? "unknown error" : String.valueOf(t.getMessage());
    return new ClientException(ErrorCode.INTERNAL, msg, t);
  }
}
