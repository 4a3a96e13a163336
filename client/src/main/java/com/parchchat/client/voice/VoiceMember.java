package com.parchchat.client.voice;

/**
 * Another member of the room as the call sees it.
 *
 * @param streamId the msid stream id of the member's track in the SFU's offers (null if receive-only)
 * @param hasTrack whether a remote track carrying this member's voice is negotiated now
 * @param volume   the local playback volume chosen for this member (0 = silenced locally, 1 = normal)
 */
public record VoiceMember(String userId, String name, boolean canSpeak, boolean muted, String streamId,
    boolean hasTrack, double volume) {
}
