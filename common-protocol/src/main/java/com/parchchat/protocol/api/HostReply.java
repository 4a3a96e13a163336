package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.Require;

import java.util.List;

/**
 * Layer-2 reply bodies: the {@code body} of a {@code reply} frame, correlated with the request by
 * the frame's {@code id}.
 *
 * <p>A successful reply has the type named by the request's {@link HostRequest#replyType()}; a
 * failed one is {@link Error}. {@link #expect(HostReply, Class)} turns that into a typed result or
 * a {@link ProtocolException}, so a caller handles exactly one success type.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HostReply.Ok.class, name = "ok"),
        @JsonSubTypes.Type(value = HostReply.Error.class, name = "error"),
        @JsonSubTypes.Type(value = HostReply.BootstrapResult.class, name = "bootstrap"),
        @JsonSubTypes.Type(value = HostReply.SpaceSnapshotResult.class, name = "space.snapshot"),
        @JsonSubTypes.Type(value = HostReply.ChannelResult.class, name = "channel"),
        @JsonSubTypes.Type(value = HostReply.ChannelsResult.class, name = "channels"),
        @JsonSubTypes.Type(value = HostReply.MembersResult.class, name = "members"),
        @JsonSubTypes.Type(value = HostReply.InviteResult.class, name = "invite"),
        @JsonSubTypes.Type(value = HostReply.InvitesResult.class, name = "invites"),
        @JsonSubTypes.Type(value = HostReply.InviteCodeResult.class, name = "invite.code"),
        @JsonSubTypes.Type(value = HostReply.MessageResult.class, name = "message"),
        @JsonSubTypes.Type(value = HostReply.MessagesResult.class, name = "messages"),
        @JsonSubTypes.Type(value = HostReply.VoiceGrant.class, name = "voice.grant"),
})
public sealed interface HostReply {

    /**
     * The reply as the expected success type.
     *
     * @throws ProtocolException with the host's code and message for an {@link Error} reply, or
     *                           {@code bad_request} when the reply has another type than expected
     */
    static <R extends HostReply> R expect(HostReply reply, Class<R> type) throws ProtocolException {
        if (reply instanceof Error) {
            Error error = (Error) reply;
            throw new ProtocolException(error.code(), error.message());
        }
        if (!type.isInstance(reply)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "expected a " + type.getSimpleName()
                    + " reply but got " + (reply == null ? "none" : reply.getClass().getSimpleName()));
        }
        return type.cast(reply);
    }

    /** Success without a result; the effect is also visible through events. */
    record Ok() implements HostReply {
    }

    /**
     * The request failed; nothing changed.
     *
     * @param message human-readable; never reveals what the caller may not see
     */
    record Error(ErrorCode code, String message) implements HostReply {
        public Error {
            Require.present(code, "code");
            Require.present(message, "message");
        }
    }

    /** Answer to {@code bootstrap}. */
    record BootstrapResult(Bootstrap bootstrap) implements HostReply {
        public BootstrapResult {
            Require.present(bootstrap, "bootstrap");
        }
    }

    /** A space the caller just created or joined, complete enough to show at once. */
    record SpaceSnapshotResult(SpaceSnapshot snapshot) implements HostReply {
        public SpaceSnapshotResult {
            Require.present(snapshot, "snapshot");
        }
    }

    /** The channel as created. */
    record ChannelResult(Channel channel) implements HostReply {
        public ChannelResult {
            Require.present(channel, "channel");
        }
    }

    /** A space's channels in their (new) order. */
    record ChannelsResult(String spaceId, List<Channel> channels) implements HostReply {
        public ChannelsResult {
            Require.present(spaceId, "spaceId");
            channels = Require.list(channels, "channels");
        }
    }

    /**
     * One page of members ordered by user id.
     *
     * @param hasMore whether another page follows (ask with {@code after} = last user id)
     */
    record MembersResult(String spaceId, List<Member> members,
                         @JsonProperty(required = true) boolean hasMore) implements HostReply {
        public MembersResult {
            Require.present(spaceId, "spaceId");
            members = Require.list(members, "members");
        }
    }

    /** The invite as created. */
    record InviteResult(Invite invite) implements HostReply {
        public InviteResult {
            Require.present(invite, "invite");
        }
    }

    /** Invites pending for the caller. */
    record InvitesResult(List<Invite> invites) implements HostReply {
        public InvitesResult {
            invites = Require.list(invites, "invites");
        }
    }

    /** The invite code as created. */
    record InviteCodeResult(InviteCode inviteCode) implements HostReply {
        public InviteCodeResult {
            Require.present(inviteCode, "inviteCode");
        }
    }

    /** The stored message (sent or edited); for a re-sent nonce, the message stored the first time. */
    record MessageResult(Message message) implements HostReply {
        public MessageResult {
            Require.present(message, "message");
        }
    }

    /**
     * A page of messages: history in ascending id order, search results in descending id order.
     *
     * @param hasMore whether more messages exist in the paging direction
     */
    record MessagesResult(List<Message> messages, @JsonProperty(required = true) boolean hasMore) implements HostReply {
        public MessagesResult {
            messages = Require.list(messages, "messages");
        }
    }

    /**
     * Written by the relay (not the host) in answer to {@code voice.join} once the host sent
     * {@code voice.authorize}: everything the client needs to connect to the SFU.
     *
     * @param sfuUrl    SFU signalling WebSocket URL
     * @param token     SFU JWT (claims in {@code SfuTokenClaims}); secret: redacted in {@link #toString()}
     * @param room      {@code <hostId>:<channelId>}
     * @param turn      TURN credentials for ICE, absent when no TURN server is configured
     * @param expiresAt Unix epoch milliseconds after which the token is refused
     */
    record VoiceGrant(String sfuUrl, String token, String room, TurnCredentials turn,
                      @JsonProperty(required = true) long expiresAt) implements HostReply {
        public VoiceGrant {
            Require.present(sfuUrl, "sfuUrl");
            Require.present(token, "token");
            Require.present(room, "room");
        }

        @Override
        public String toString() {
            return "VoiceGrant[sfuUrl=" + sfuUrl + ", token=<redacted>, room=" + room + ", turn=" + turn
                    + ", expiresAt=" + expiresAt + "]";
        }
    }
}
