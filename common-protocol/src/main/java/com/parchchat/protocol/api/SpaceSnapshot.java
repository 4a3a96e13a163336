package com.parchchat.protocol.api;

import com.parchchat.protocol.signal.Require;

import java.util.List;

/**
 * Everything a client shows for one space: used in the bootstrap and when joining a space.
 *
 * @param channels ordered by position
 * @param voice    non-empty voice channels only
 */
public record SpaceSnapshot(Space space, List<Channel> channels, List<Member> members,
                            List<VoiceChannelState> voice) {
    public SpaceSnapshot {
        Require.present(space, "space");
        channels = Require.listOrEmpty(channels, "channels");
        members = Require.listOrEmpty(members, "members");
        voice = Require.listOrEmpty(voice, "voice");
    }
}
