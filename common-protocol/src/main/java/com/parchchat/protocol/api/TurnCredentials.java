package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Require;

import java.util.List;

/**
 * Time-limited TURN credentials in the coturn REST scheme (see
 * {@code com.parchchat.protocol.voice.TurnRestCredentials}), ready for an ICE server entry.
 *
 * @param urls       e.g. {@code turn:turn.example.org:3478?transport=udp}
 * @param password   secret: redacted in {@link #toString()}
 * @param ttlSeconds lifetime from issue; the expiry is also encoded in {@code username}
 */
public record TurnCredentials(List<String> urls, String username, String password,
                              @JsonProperty(required = true) long ttlSeconds) {
    public TurnCredentials {
        urls = Require.list(urls, "urls");
        Require.present(username, "username");
        Require.present(password, "password");
    }

    @Override
    public String toString() {
        return "TurnCredentials[urls=" + urls + ", username=" + username + ", password=<redacted>, ttlSeconds="
                + ttlSeconds + "]";
    }
}
