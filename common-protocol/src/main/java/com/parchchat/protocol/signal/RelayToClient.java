package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Layer-1 frames the relay sends to a client. Bodies are the host's layer-2 payloads, passed
 * through unchanged (except {@code voice.grant}, which the relay itself writes).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RelayToClient.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = RelayToClient.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = RelayToClient.Event.class, name = "event"),
        @JsonSubTypes.Type(value = RelayToClient.Notification.class, name = "notification"),
        @JsonSubTypes.Type(value = RelayToClient.HostStatus.class, name = "host.status"),
        @JsonSubTypes.Type(value = RelayToClient.Error.class, name = "error"),
        @JsonSubTypes.Type(value = RelayToClient.Pong.class, name = "pong"),
})
public sealed interface RelayToClient {

    /**
     * The session is authenticated.
     *
     * @param user     the account behind the token
     * @param session  relay-assigned id of this connection (not a secret; hosts see it)
     * @param protocol the protocol version the relay speaks
     */
    record Welcome(UserRef user, String session, @JsonProperty(required = true) int protocol) implements RelayToClient {
        public Welcome {
            Require.present(user, "user");
            Require.present(session, "session");
        }

        public Welcome(UserRef user, String session) {
            this(user, session, SignalCodec.PROTOCOL_VERSION);
        }
    }

    /**
     * The answer to the client's {@code request} with the same {@code id}.
     *
     * @param body a layer-2 {@code HostReply}
     */
    record Reply(String host, String id, JsonNode body) implements RelayToClient {
        public Reply {
            Require.present(host, "host");
            Require.present(id, "id");
            Require.object(body, "body");
        }
    }

    /**
     * A host event fanned out to every session subscribed to {@code topic} (e.g. {@code space:<id>}).
     *
     * @param body a layer-2 {@code HostEvent}
     */
    record Event(String host, String topic, JsonNode body) implements RelayToClient {
        public Event {
            Require.present(host, "host");
            Require.present(topic, "topic");
            Require.object(body, "body");
        }
    }

    /**
     * A host event addressed to this session alone ({@code send}) or to all sessions of this user
     * ({@code notify}), whether attached to the host or not.
     *
     * @param body a layer-2 {@code HostEvent}
     */
    record Notification(String host, JsonNode body) implements RelayToClient {
        public Notification {
            Require.present(host, "host");
            Require.object(body, "body");
        }
    }

    /**
     * A host the client is attached to came online or went offline (also sent right after {@code attach}).
     *
     * @param name the host's registered name
     */
    record HostStatus(String host, String name, @JsonProperty(required = true) boolean online) implements RelayToClient {
        public HostStatus {
            Require.present(host, "host");
            Require.present(name, "name");
        }
    }

    /**
     * A frame was rejected or a request failed at the relay; the connection stays up.
     *
     * @param id      correlation id of the failed frame when it had one, else absent
     * @param code    stable error code
     * @param message human-readable detail
     */
    record Error(String id, ErrorCode code, String message) implements RelayToClient {
        public Error {
            Require.present(code, "code");
            Require.present(message, "message");
        }

        /** The error frame that answers a rejected frame. */
        public static Error of(ProtocolException e) {
            return new Error(e.id(), e.code(), e.getMessage());
        }
    }

    /** Answer to {@code ping}. */
    record Pong() implements RelayToClient {
    }
}
