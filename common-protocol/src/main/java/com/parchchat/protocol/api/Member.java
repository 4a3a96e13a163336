package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * A user's membership in one space, with what the UI needs to show it.
 *
 * @param online whether the user has at least one session attached to the host
 */
public record Member(String userId, String username, String displayName, Role role,
                     @JsonProperty(required = true) boolean online) {
    public Member {
        Require.present(userId, "userId");
        Require.present(username, "username");
        Require.present(displayName, "displayName");
        Require.present(role, "role");
    }
}
