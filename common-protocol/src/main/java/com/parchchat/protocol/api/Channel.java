package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * A text or voice channel. Channel ids are unique on the host, so requests that name a channel
 * need no space id.
 *
 * @param position sort key within the space (0-based, dense after a reorder)
 */
public record Channel(String id, String spaceId, String name, ChannelKind kind,
                      @JsonProperty(required = true) int position) {
    public Channel {
        Require.present(id, "id");
        Require.present(spaceId, "spaceId");
        Require.present(name, "name");
        Require.present(kind, "kind");
    }
}
