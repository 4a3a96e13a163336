package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/** Someone in a voice channel, as the host knows it (the SFU knows who is speaking). */
public record VoiceParticipant(String userId, String displayName,
                               @JsonProperty(required = true) boolean muted,
                               @JsonProperty(required = true) boolean deafened) {
    public VoiceParticipant {
        Require.present(userId, "userId");
        Require.present(displayName, "displayName");
    }
}
