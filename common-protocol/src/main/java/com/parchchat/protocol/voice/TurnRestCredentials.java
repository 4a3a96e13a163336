package com.parchchat.protocol.voice;

import com.parchchat.protocol.api.TurnCredentials;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Time-limited TURN credentials in the "TURN REST API" scheme that coturn implements
 * ({@code use-auth-secret} / {@code static-auth-secret}): the relay and the TURN server share a
 * secret, so the relay can issue credentials without telling the TURN server about each user.
 *
 * <pre>
 * username = &lt;expiry, Unix seconds&gt; ":" &lt;userId&gt;
 * password = base64( HMAC-SHA1( key = UTF-8(secret), data = UTF-8(username) ) )
 * </pre>
 *
 * The TURN server recomputes the password from the username and refuses the credentials once the
 * expiry has passed. Pure functions: no clock, no I/O.
 */
public final class TurnRestCredentials {

    private static final String HMAC_SHA1 = "HmacSHA1";

    private TurnRestCredentials() {
    }

    /** {@code <expiryEpochSeconds>:<userId>}. */
    public static String username(long expiryEpochSeconds, String userId) {
        Objects.requireNonNull(userId, "userId");
        if (expiryEpochSeconds < 0) {
            throw new IllegalArgumentException("expiry must not be negative");
        }
        return expiryEpochSeconds + ":" + userId;
    }

    /** {@code base64(HMAC-SHA1(secret, username))} with standard base64 and padding, as coturn expects. */
    public static String password(String secret, String username) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(username, "username");
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is required by every Java platform", e);
        }
    }

    /**
     * The expiry encoded in a username (the part before the first {@code ':'}).
     *
     * @throws IllegalArgumentException when the username is not in the REST scheme
     */
    public static long expiryOf(String username) {
        Objects.requireNonNull(username, "username");
        int colon = username.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a TURN REST username: no '<expiry>:' prefix");
        }
        try {
            return Long.parseLong(username.substring(0, colon));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a TURN REST username: expiry is not a number", e);
        }
    }

    /**
     * Issues credentials valid until {@code nowEpochSeconds + ttlSeconds}.
     *
     * @param urls TURN URLs to hand to the client's ICE configuration
     */
    public static TurnCredentials issue(String secret, String userId, long nowEpochSeconds, long ttlSeconds,
                                        List<String> urls) {
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("ttlSeconds must be positive");
        }
        String username = username(nowEpochSeconds + ttlSeconds, userId);
        return new TurnCredentials(urls, username, password(secret, username), ttlSeconds);
    }
}
