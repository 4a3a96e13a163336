package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;
import com.parchchat.protocol.signal.UserRef;

/**
 * A pending invitation of one user (by username) into a space; it stays pending until the invitee
 * accepts or declines it. Carries the space name because the invitee cannot see the space yet.
 *
 * @param createdAt Unix epoch milliseconds
 */
public record Invite(String id, String spaceId, String spaceName, UserRef inviter, UserRef invitee,
                     @JsonProperty(required = true) long createdAt) {
    public Invite {
        Require.present(id, "id");
        Require.present(spaceId, "spaceId");
        Require.present(spaceName, "spaceName");
        Require.present(inviter, "inviter");
        Require.present(invitee, "invitee");
    }
}
