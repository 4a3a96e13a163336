package com.parchchat.protocol.signal;

/**
 * A user as the relay vouches for it: the relay is the authority on who a session is, and stamps
 * this on every frame it forwards to a host.
 *
 * @param id          relay-assigned user id (stable, never reused)
 * @param username    unique, case-insensitive login name
 * @param displayName free-form name shown in the UI
 */
public record UserRef(String id, String username, String displayName) {
    public UserRef {
        Require.present(id, "id");
        Require.present(username, "username");
        Require.present(displayName, "displayName");
    }
}
