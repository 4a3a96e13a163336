package com.parchchat.protocol.sfu;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * A member of an SFU room as other members see it.
 *
 * @param userId   relay user id (the token's {@code sub})
 * @param name     display name from the token
 * @param canSpeak false for receive-only members
 * @param muted    whether the member muted themselves
 * @param streamId the {@code msid} stream id of this member's track in the SFU's offers, so a
 *                 client can tell whose voice a remote track carries; null for receive-only members
 */
public record SfuParticipant(String userId, String name, @JsonProperty(required = true) boolean canSpeak,
    @JsonProperty(required = true) boolean muted, String streamId) {
  public SfuParticipant {
    Require.present(userId, "userId");
    Require.present(name, "name");
  }
}
