package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

/**
 * A shareable code that lets anyone holding it join a space, bounded by uses and/or time.
 *
 * @param maxUses   absent for unlimited
 * @param uses      how often it was redeemed
 * @param expiresAt Unix epoch milliseconds, absent for never
 */
public record InviteCode(String code, String spaceId, String createdBy, Integer maxUses,
                         @JsonProperty(required = true) int uses, Long expiresAt) {
    public InviteCode {
        Require.present(code, "code");
        Require.present(spaceId, "spaceId");
        Require.present(createdBy, "createdBy");
        Require.positiveOrNull(maxUses, "maxUses");
        Require.nonNegative(uses, "uses");
    }
}
