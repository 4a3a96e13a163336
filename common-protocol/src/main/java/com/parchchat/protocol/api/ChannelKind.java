package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a channel carries: text messages, or a voice room on the SFU. */
public enum ChannelKind {
    TEXT("text"),
    VOICE("voice");

    private final String wire;

    ChannelKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static ChannelKind fromWire(String wire) {
        for (ChannelKind kind : values()) {
            if (kind.wire.equals(wire)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown channel kind '" + wire + "'");
    }
}
