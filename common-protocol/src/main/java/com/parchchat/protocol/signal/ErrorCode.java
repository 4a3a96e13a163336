package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The closed set of error codes carried by {@code error} frames and host-API error replies.
 *
 * <p>The wire strings are stable: peers branch on them, so a code is never renamed or reused.
 * Adding a code is a protocol change that old peers reject as {@code bad_request} (see
 * {@code docs/protocol.md}, "Versioning").
 */
public enum ErrorCode {
    /** Malformed JSON, unknown frame type, missing or invalid field, or an operation that makes no sense. */
    BAD_REQUEST("bad_request"),
    /** Missing, wrong or expired credentials (session token, host signature, SFU token). */
    UNAUTHORIZED("unauthorized"),
    /** Authenticated, but not allowed to do this (role, membership, ban). */
    FORBIDDEN("forbidden"),
    /** The target does not exist, or the caller may not learn that it exists. */
    NOT_FOUND("not_found"),
    /** The request collides with current state (duplicate name, already a member, stale edit). */
    CONFLICT("conflict"),
    /** The caller exceeded a rate limit; retrying later may succeed. */
    RATE_LIMITED("rate_limited"),
    /** The addressed host is not connected to the relay. */
    HOST_OFFLINE("host_offline"),
    /** A frame or field exceeds a configured limit. */
    TOO_LARGE("too_large"),
    /** A dependency did not answer in time or is overloaded (e.g. a host never replied). */
    UNAVAILABLE("unavailable"),
    /** A bug or unexpected failure on the answering side; nothing the caller can fix. */
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The stable string used on the wire. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /**
     * Looks a code up by its wire string.
     *
     * @throws IllegalArgumentException for a string that is not a known code
     */
    @JsonCreator
    public static ErrorCode fromWire(String wire) {
        for (ErrorCode code : values()) {
            if (code.wire.equals(wire)) {
                return code;
            }
        }
        throw new IllegalArgumentException("unknown error code '" + Require.clip(wire) + "'");
    }
}
