package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Layer-1 frames a host sends to the relay. The host addresses sessions, users and topics; the
 * relay does the fan-out so a host on a home uplink sends each event once.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HostToRelay.HostAuth.class, name = "host.auth"),
        @JsonSubTypes.Type(value = HostToRelay.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = HostToRelay.Publish.class, name = "publish"),
        @JsonSubTypes.Type(value = HostToRelay.Subscribe.class, name = "subscribe"),
        @JsonSubTypes.Type(value = HostToRelay.Unsubscribe.class, name = "unsubscribe"),
        @JsonSubTypes.Type(value = HostToRelay.Send.class, name = "send"),
        @JsonSubTypes.Type(value = HostToRelay.Notify.class, name = "notify"),
        @JsonSubTypes.Type(value = HostToRelay.SessionKick.class, name = "session.kick"),
        @JsonSubTypes.Type(value = HostToRelay.VoiceAuthorize.class, name = "voice.authorize"),
        @JsonSubTypes.Type(value = HostToRelay.VoiceKick.class, name = "voice.kick"),
        @JsonSubTypes.Type(value = HostToRelay.UserLookup.class, name = "user.lookup"),
})
public sealed interface HostToRelay {

    /**
     * Answer to {@code host.challenge}: proof of the host's Ed25519 key without any bearer secret.
     *
     * @param hostId    the host id the key was registered under
     * @param signature base64 (RFC 4648 §4, with padding) Ed25519 signature over the UTF-8 bytes of
     *                  {@link #signedPayload(String, String)}
     * @param protocol  the protocol version the host speaks; absent means 1
     */
    record HostAuth(String hostId, String signature, Integer protocol) implements HostToRelay {

        /** Domain-separation prefix: a signature made for this purpose is useless anywhere else. */
        public static final String PAYLOAD_PREFIX = "parch-host-auth:v1:";

        public HostAuth {
            Require.present(hostId, "hostId");
            Require.present(signature, "signature");
        }

        public HostAuth(String hostId, String signature) {
            this(hostId, signature, SignalCodec.PROTOCOL_VERSION);
        }

        /**
         * The exact string the host signs: {@code "parch-host-auth:v1:" + hostId + ":" + nonce}.
         * Binding the host id stops a signature for one host being replayed for another; the
         * single-use nonce stops replay in time.
         */
        public static String signedPayload(String hostId, String nonce) {
            Require.present(hostId, "hostId");
            Require.present(nonce, "nonce");
            return PAYLOAD_PREFIX + hostId + ":" + nonce;
        }

        /** {@link #signedPayload(String, String)} as the UTF-8 bytes that are signed. */
        public static byte[] signedPayloadBytes(String hostId, String nonce) {
            return signedPayload(hostId, nonce).getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Answer to a relay {@code request}; routed to {@code session} as {@code reply}.
     *
     * @param body a layer-2 {@code HostReply}
     */
    record Reply(String session, String id, JsonNode body) implements HostToRelay {
        public Reply {
            Require.present(session, "session");
            Require.present(id, "id");
            Require.object(body, "body");
        }
    }

    /**
     * Fan-out: delivered as {@code event} to every session subscribed to {@code topic}.
     *
     * @param topic e.g. {@code space:<spaceId>}; topics are scoped to the sending host by the relay
     * @param body  a layer-2 {@code HostEvent}
     */
    record Publish(String topic, JsonNode body) implements HostToRelay {
        public Publish {
            Require.present(topic, "topic");
            Require.object(body, "body");
        }
    }

    /** Adds topics to a session's subscriptions (idempotent). */
    record Subscribe(String session, List<String> topics) implements HostToRelay {
        public Subscribe {
            Require.present(session, "session");
            topics = Require.nonEmptyList(topics, "topics");
        }
    }

    /** Removes topics from a session's subscriptions at once (idempotent); nothing more is delivered. */
    record Unsubscribe(String session, List<String> topics) implements HostToRelay {
        public Unsubscribe {
            Require.present(session, "session");
            topics = Require.nonEmptyList(topics, "topics");
        }
    }

    /**
     * Delivered as {@code notification} to one session.
     *
     * @param body a layer-2 {@code HostEvent}
     */
    record Send(String session, JsonNode body) implements HostToRelay {
        public Send {
            Require.present(session, "session");
            Require.object(body, "body");
        }
    }

    /**
     * Delivered as {@code notification} to every session of a user, attached to this host or not
     * (e.g. an invite to someone who is not a member yet).
     *
     * @param user user id
     * @param body a layer-2 {@code HostEvent}
     */
    record Notify(String user, JsonNode body) implements HostToRelay {
        public Notify {
            Require.present(user, "user");
            Require.object(body, "body");
        }
    }

    /**
     * Detaches a session from this whole host; the relay drops its subscriptions and pending
     * requests at once. Removing a user from one space is not a kick: the host {@code send}s
     * {@code kicked}/{@code banned} and {@code unsubscribe}s the space topic instead.
     *
     * @param reason short human-readable reason
     */
    record SessionKick(String session, String reason) implements HostToRelay {
        public SessionKick {
            Require.present(session, "session");
            Require.present(reason, "reason");
        }
    }

    /**
     * The host allows a session into a voice room. The relay, which alone holds the SFU and TURN
     * secrets, answers the client's pending request {@code id} with a {@code voice.grant} reply.
     *
     * @param session  the requesting session
     * @param id       the correlation id of the client's {@code voice.join} request
     * @param room     host-local room name (the voice channel id); the relay prefixes the
     *                 authenticated host id, so a host can never grant access to another host's room
     * @param canSpeak false for listen-only participants
     */
    record VoiceAuthorize(String session, String id, String room,
                          @JsonProperty(required = true) boolean canSpeak) implements HostToRelay {
        public VoiceAuthorize {
            Require.present(session, "session");
            Require.present(id, "id");
            Require.present(room, "room");
        }
    }

    /**
     * Removes a user from one of this host's voice rooms at once (kicked or banned from the space, or
     * the channel deleted): the relay, which alone holds the SFU admin secret, asks the SFU to drop
     * the user from room {@code <hostId>:<room>}. The host has already updated its voice state.
     *
     * @param user the user to remove
     * @param room host-local room name (the voice channel id); the relay prefixes the host id
     */
    record VoiceKick(String user, String room) implements HostToRelay {
        public VoiceKick {
            Require.present(user, "user");
            Require.present(room, "room");
        }
    }

    /**
     * Resolves a username to an account (for invites by username); answered by {@code user.lookup.result}.
     *
     * @param id correlation id chosen by the host
     */
    record UserLookup(String id, String username) implements HostToRelay {
        public UserLookup {
            Require.present(id, "id");
            Require.present(username, "username");
        }
    }
}
