package com.parchchat.protocol.api;

import com.parchchat.protocol.signal.Require;
import com.parchchat.protocol.signal.UserRef;

import java.util.List;

/**
 * The snapshot a client asks for right after attaching: afterwards it stays current from events.
 * A client that reconnects asks again and then pages history after its newest known message id.
 *
 * @param me      the user as this host knows them
 * @param spaces  every space the user is a member of
 * @param unread  read state of every text channel in those spaces
 * @param invites invites pending for the user
 */
public record Bootstrap(UserRef me, List<SpaceSnapshot> spaces, List<UnreadCount> unread, List<Invite> invites) {
    public Bootstrap {
        Require.present(me, "me");
        spaces = Require.listOrEmpty(spaces, "spaces");
        unread = Require.listOrEmpty(unread, "unread");
        invites = Require.listOrEmpty(invites, "invites");
    }
}
