package com.parchchat.relay.account;

import com.parchchat.protocol.signal.ErrorCode;

/**
 * A request the relay refuses, with the protocol's stable {@link ErrorCode}; the HTTP layer maps
 * the code to a status and sends {@code {"code": ..., "message": ...}}. The message is safe to
 * show the caller.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ApiException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The HTTP status that goes with the code. */
  public int httpStatus() {
    return status(code);
  }

  public static int status(ErrorCode code) {
    switch (code) {
      case BAD_REQUEST:
        return 400;
      case UNAUTHORIZED:
        return 401;
      case FORBIDDEN:
        return 403;
      case NOT_FOUND:
        return 404;
      case CONFLICT:
        return 409;
      case TOO_LARGE:
        return 413;
      case RATE_LIMITED:
        return 429;
      case HOST_OFFLINE:
      case UNAVAILABLE:
        return 503;
      default:
        return 500;
    }
  }

  public static ApiException badRequest(String message) {
    return new ApiException(ErrorCode.BAD_REQUEST, message);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(ErrorCode.UNAUTHORIZED, message);
  }

  public static ApiException rateLimited(String message) {
    return new ApiException(ErrorCode.RATE_LIMITED, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(ErrorCode.NOT_FOUND, message);
  }
}
