package com.parchchat.protocol.api;

import com.parchchat.protocol.signal.Require;

import java.util.List;

/** Who is in one voice channel; the full list, so a client replaces its view rather than patching it. */
public record VoiceChannelState(String channelId, List<VoiceParticipant> participants) {
    public VoiceChannelState {
        Require.present(channelId, "channelId");
        participants = Require.listOrEmpty(participants, "participants");
    }
}
