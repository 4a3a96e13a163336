package com.parchchat.host.auth;

import com.parchchat.protocol.signal.ErrorCode;
import java.util.Objects;

/**
 * A request the host refuses, with the wire {@link ErrorCode} and a message safe to show the
 * caller. Thrown inside store work to roll that work back; answered as a typed error reply.
 */
public final class HostApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public HostApiException(ErrorCode code, String message) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public static HostApiException notFound(String what) {
    return new HostApiException(ErrorCode.NOT_FOUND, what + " not found");
  }

  public static HostApiException forbidden(String message) {
    return new HostApiException(ErrorCode.FORBIDDEN, message);
  }

  public static HostApiException badRequest(String message) {
    return new HostApiException(ErrorCode.BAD_REQUEST, message);
  }

  public static HostApiException conflict(String message) {
    return new HostApiException(ErrorCode.CONFLICT, message);
  }

  public static HostApiException tooLarge(String message) {
    return new HostApiException(ErrorCode.TOO_LARGE, message);
  }
}
