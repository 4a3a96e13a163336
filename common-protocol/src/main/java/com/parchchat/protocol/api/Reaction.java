package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * One emoji's reactions on a message.
 *
 * @param me whether the viewing user reacted with it; present only in replies computed for one
 *           user (history, search), absent in fanned-out events, which are the same for everyone
 */
public record Reaction(String emoji, @JsonProperty(required = true) int count, Boolean me) {
    public Reaction {
        Require.present(emoji, "emoji");
        Require.nonNegative(count, "count");
    }
}
