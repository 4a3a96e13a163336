package com.parchchat.testkit.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in the REST scheme that coturn's {@code --use-auth-secret} accepts
 * (and that our relay mints): username {@code <expiry-unix-seconds>:<user>}, password
 * {@code base64(HMAC-SHA1(secret, username))}. {@link #toString()} hides the password.
 */
public record TurnCredentials(String username, String password) {

    /** Credentials for {@code user} valid until {@code expiry}, signed with the shared secret. */
    public static TurnCredentials mint(String secret, String user, Instant expiry) {
        String username = expiry.getEpochSecond() + ":" + user;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String password = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
            return new TurnCredentials(username, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "TurnCredentials[username=" + username + ", password=***]";
    }
}
