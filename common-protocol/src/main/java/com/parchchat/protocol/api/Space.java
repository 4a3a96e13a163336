package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * A community on a host: the unit of membership and of event fan-out (topic {@code space:<id>}).
 *
 * @param ownerId   user id of the single owner
 * @param createdAt Unix epoch milliseconds
 */
public record Space(String id, String name, String ownerId, @JsonProperty(required = true) long createdAt) {
    public Space {
        Require.present(id, "id");
        Require.present(name, "name");
        Require.present(ownerId, "ownerId");
    }

    /** The relay topic that carries this space's events. */
    public static String topic(String spaceId) {
        return "space:" + spaceId;
    }
}
