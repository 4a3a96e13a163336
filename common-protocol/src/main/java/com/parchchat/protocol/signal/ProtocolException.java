package com.parchchat.protocol.signal;

import java.util.Objects;

/**
 * A frame or body that cannot be accepted, with the {@link ErrorCode} to answer it with.
 *
 * <p>Thrown by {@link SignalCodec} for oversize, malformed or incomplete input. The message is
 * meant for humans and is safe to send back to the peer (it never contains more than a short
 * clip of the peer's own input). {@link #id()} is the correlation id of the offending frame
 * when it could still be read, so the error can be correlated by the sender.
 */
public final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String id;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ProtocolException(ErrorCode code, String message, String id, Throwable cause) {
        // bad peer input is routine, not a bug: no stack trace (the cause, if any, keeps its own)
        super(Objects.requireNonNull(message, "message"), cause, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.id = id;
    }

    public ErrorCode code() {
        return code;
    }

    /** Correlation id of the rejected frame, or null when it had none or could not be read. */
    public String id() {
        return id;
    }
}
