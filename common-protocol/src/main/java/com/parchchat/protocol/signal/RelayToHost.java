package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Layer-1 frames the relay sends to a host over the host's outbound WebSocket.
 *
 * <p>The first frame is always {@link HostChallenge}; nothing else is sent before the host has
 * answered it with a valid {@code host.auth} and received {@link HostReady}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RelayToHost.HostChallenge.class, name = "host.challenge"),
        @JsonSubTypes.Type(value = RelayToHost.HostReady.class, name = "host.ready"),
        @JsonSubTypes.Type(value = RelayToHost.SessionOpen.class, name = "session.open"),
        @JsonSubTypes.Type(value = RelayToHost.SessionClosed.class, name = "session.closed"),
        @JsonSubTypes.Type(value = RelayToHost.Request.class, name = "request"),
        @JsonSubTypes.Type(value = RelayToHost.UserLookupResult.class, name = "user.lookup.result"),
        @JsonSubTypes.Type(value = RelayToHost.Error.class, name = "error"),
})
public sealed interface RelayToHost {

    /**
     * Random single-use challenge; the host proves its key by signing
     * {@link HostToRelay.HostAuth#signedPayload(String, String)}.
     *
     * @param nonce fresh random value (base64url, at least 32 random bytes), never reused by the relay
     */
    record HostChallenge(String nonce) implements RelayToHost {
        public HostChallenge {
            Require.present(nonce, "nonce");
        }
    }

    /**
     * The signature verified; the host is online and will now receive sessions and requests.
     *
     * @param hostId   the authenticated host id
     * @param protocol the protocol version the relay speaks
     */
    record HostReady(String hostId, @JsonProperty(required = true) int protocol) implements RelayToHost {
        public HostReady {
            Require.present(hostId, "hostId");
        }

        public HostReady(String hostId) {
            this(hostId, SignalCodec.PROTOCOL_VERSION);
        }
    }

    /**
     * A client attached to this host. The host decides what the session may see and subscribes it
     * to topics ({@code subscribe}).
     *
     * @param session relay session id, the address for {@code send}, {@code reply}, {@code subscribe}
     * @param user    the verified user behind the session
     */
    record SessionOpen(String session, UserRef user) implements RelayToHost {
        public SessionOpen {
            Require.present(session, "session");
            Require.present(user, "user");
        }
    }

    /** The session detached or disconnected; the relay has already dropped its subscriptions. */
    record SessionClosed(String session) implements RelayToHost {
        public SessionClosed {
            Require.present(session, "session");
        }
    }

    /**
     * A client's host-API call; answer with {@code reply} carrying the same {@code session} and {@code id}.
     *
     * @param user the verified user, stamped by the relay (the client cannot forge it)
     * @param body a layer-2 {@code HostRequest}
     */
    record Request(String session, UserRef user, String id, JsonNode body) implements RelayToHost {
        public Request {
            Require.present(session, "session");
            Require.present(user, "user");
            Require.present(id, "id");
            Require.object(body, "body");
        }
    }

    /**
     * Answer to {@code user.lookup}.
     *
     * @param id   the lookup's correlation id
     * @param user the account with that username, or absent when there is none
     */
    record UserLookupResult(String id, UserRef user) implements RelayToHost {
        public UserLookupResult {
            Require.present(id, "id");
        }
    }

    /**
     * A host frame was rejected (e.g. unknown session, bad signature); the connection stays up
     * unless the error is {@code unauthorized} during authentication.
     *
     * @param id correlation id of the failed frame when it had one
     */
    record Error(String id, ErrorCode code, String message) implements RelayToHost {
        public Error {
            Require.present(code, "code");
            Require.present(message, "message");
        }

        /** The error frame that answers a rejected frame. */
        public static Error of(ProtocolException e) {
            return new Error(e.id(), e.code(), e.getMessage());
        }
    }
}
