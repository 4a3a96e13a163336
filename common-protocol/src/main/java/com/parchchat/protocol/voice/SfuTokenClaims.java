package com.parchchat.protocol.voice;

/**
 * The SFU access token: a JWT (RFC 7519) signed with HS256 using the secret shared by relay and
 * SFU. The relay mints it after a host's {@code voice.authorize}; the SFU verifies signature,
 * issuer, audience, expiry and room before admitting a participant. Both sides use
 * nimbus-jose-jwt; this class only fixes the names so they cannot drift apart.
 */
public final class SfuTokenClaims {

    /** JWS algorithm name. */
    public static final String ALGORITHM = "HS256";
    /** HS256 needs a key of at least 256 bits; shorter configured secrets are refused. */
    public static final int MIN_SECRET_BYTES = 32;

    /** Claim: user id (registered claim {@code sub}). */
    public static final String SUBJECT = "sub";
    /** Claim: room, {@code <hostId>:<channelId>}. */
    public static final String ROOM = "room";
    /** Claim: display name shown to other participants. */
    public static final String NAME = "name";
    /** Claim: boolean, false admits the participant receive-only. */
    public static final String SPEAK = "speak";
    /** Claim: expiry, seconds since the epoch (registered claim {@code exp}). */
    public static final String EXPIRES_AT = "exp";
    /** Claim: issue time, seconds since the epoch (registered claim {@code iat}). */
    public static final String ISSUED_AT = "iat";
    /** Claim name {@code iss}; its value must be {@link #ISSUER}. */
    public static final String ISSUER_CLAIM = "iss";
    /** Claim name {@code aud}; its value must be {@link #AUDIENCE}. */
    public static final String AUDIENCE_CLAIM = "aud";

    /** Value of {@code iss}: only the relay mints tokens. */
    public static final String ISSUER = "parch-relay";
    /** Value of {@code aud}: tokens are good for the SFU only. */
    public static final String AUDIENCE = "parch-sfu";

    /** Default token lifetime: long enough to connect, short enough that a leaked token is soon useless. */
    public static final long DEFAULT_TTL_SECONDS = 300;

    private SfuTokenClaims() {
    }

    /**
     * The SFU room for a host's voice channel. The relay builds it from the host id it authenticated,
     * so rooms of different hosts can never collide or be entered across hosts.
     */
    public static String room(String hostId, String channelId) {
        if (hostId == null || hostId.isEmpty() || hostId.indexOf(':') >= 0) {
            throw new IllegalArgumentException("hostId must be non-empty and contain no ':'");
        }
        if (channelId == null || channelId.isEmpty()) {
            throw new IllegalArgumentException("channelId must be non-empty");
        }
        return hostId + ":" + channelId;
    }
}
