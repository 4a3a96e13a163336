package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * Per-channel read state of the requesting user.
 *
 * @param count      messages after {@code lastRead}
 * @param mentions   of those, how many mention the user
 * @param lastRead   id of the last message marked read, absent if none
 */
public record UnreadCount(String channelId, @JsonProperty(required = true) int count,
                          @JsonProperty(required = true) int mentions, Long lastRead) {
    public UnreadCount {
        Require.present(channelId, "channelId");
        Require.nonNegative(count, "count");
        Require.nonNegative(mentions, "mentions");
    }
}
