package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.parchchat.protocol.signal.Require;

import java.util.List;

/**
 * Layer-2 events: the {@code body} of {@code publish}/{@code event} (fanned out to a space's topic)
 * and of {@code send}/{@code notify}/{@code notification} (to one session or one user).
 *
 * <p>Events carry full values (a whole {@link Message}, {@link Channel}, participant list) rather
 * than patches, so a client that applies an event twice or after a fresh snapshot ends up in the
 * same state. Events published to a space topic are identical for every recipient, so they never
 * contain per-viewer data.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HostEvent.MessageCreated.class, name = "message.created"),
        @JsonSubTypes.Type(value = HostEvent.MessageUpdated.class, name = "message.updated"),
        @JsonSubTypes.Type(value = HostEvent.MessageDeleted.class, name = "message.deleted"),
        @JsonSubTypes.Type(value = HostEvent.ReactionUpdated.class, name = "reaction.updated"),
        @JsonSubTypes.Type(value = HostEvent.ChannelCreated.class, name = "channel.created"),
        @JsonSubTypes.Type(value = HostEvent.ChannelUpdated.class, name = "channel.updated"),
        @JsonSubTypes.Type(value = HostEvent.ChannelDeleted.class, name = "channel.deleted"),
        @JsonSubTypes.Type(value = HostEvent.SpaceUpdated.class, name = "space.updated"),
        @JsonSubTypes.Type(value = HostEvent.SpaceDeleted.class, name = "space.deleted"),
        @JsonSubTypes.Type(value = HostEvent.MemberJoined.class, name = "member.joined"),
        @JsonSubTypes.Type(value = HostEvent.MemberLeft.class, name = "member.left"),
        @JsonSubTypes.Type(value = HostEvent.MemberUpdated.class, name = "member.updated"),
        @JsonSubTypes.Type(value = HostEvent.Presence.class, name = "presence"),
        @JsonSubTypes.Type(value = HostEvent.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = HostEvent.VoiceState.class, name = "voice.state"),
        @JsonSubTypes.Type(value = HostEvent.InviteReceived.class, name = "invite.received"),
        @JsonSubTypes.Type(value = HostEvent.Mention.class, name = "mention"),
        @JsonSubTypes.Type(value = HostEvent.Kicked.class, name = "kicked"),
        @JsonSubTypes.Type(value = HostEvent.Banned.class, name = "banned"),
})
public sealed interface HostEvent {

    /** A new message was committed. */
    record MessageCreated(Message message) implements HostEvent {
        public MessageCreated {
            Require.present(message, "message");
        }
    }

    /** A message was edited; replaces the whole message. */
    record MessageUpdated(Message message) implements HostEvent {
        public MessageUpdated {
            Require.present(message, "message");
        }
    }

    record MessageDeleted(String channelId, @JsonProperty(required = true) long messageId) implements HostEvent {
        public MessageDeleted {
            Require.present(channelId, "channelId");
        }
    }

    /**
     * Someone added or removed a reaction.
     *
     * @param userId who reacted (a client sets its own {@code me} flag from this)
     * @param added  true for add, false for remove
     * @param count  the new total for this emoji on this message (0 removes it)
     */
    record ReactionUpdated(String channelId, @JsonProperty(required = true) long messageId, String emoji,
                           String userId, @JsonProperty(required = true) boolean added,
                           @JsonProperty(required = true) int count) implements HostEvent {
        public ReactionUpdated {
            Require.present(channelId, "channelId");
            Require.present(emoji, "emoji");
            Require.present(userId, "userId");
            Require.nonNegative(count, "count");
        }
    }

    record ChannelCreated(Channel channel) implements HostEvent {
        public ChannelCreated {
            Require.present(channel, "channel");
        }
    }

    /** A channel was renamed or moved; replaces the whole channel. */
    record ChannelUpdated(Channel channel) implements HostEvent {
        public ChannelUpdated {
            Require.present(channel, "channel");
        }
    }

    record ChannelDeleted(String spaceId, String channelId) implements HostEvent {
        public ChannelDeleted {
            Require.present(spaceId, "spaceId");
            Require.present(channelId, "channelId");
        }
    }

    record SpaceUpdated(Space space) implements HostEvent {
        public SpaceUpdated {
            Require.present(space, "space");
        }
    }

    /** The space is gone; members are unsubscribed right after this event. */
    record SpaceDeleted(String spaceId) implements HostEvent {
        public SpaceDeleted {
            Require.present(spaceId, "spaceId");
        }
    }

    record MemberJoined(String spaceId, Member member) implements HostEvent {
        public MemberJoined {
            Require.present(spaceId, "spaceId");
            Require.present(member, "member");
        }
    }

    /** A member left, was kicked or was banned (the affected user learns why from {@code kicked}/{@code banned}). */
    record MemberLeft(String spaceId, String userId) implements HostEvent {
        public MemberLeft {
            Require.present(spaceId, "spaceId");
            Require.present(userId, "userId");
        }
    }

    /** Role or display name changed; replaces the whole member. */
    record MemberUpdated(String spaceId, Member member) implements HostEvent {
        public MemberUpdated {
            Require.present(spaceId, "spaceId");
            Require.present(member, "member");
        }
    }

    /** A user's first session attached ({@code online}) or last session closed, published to the user's spaces. */
    record Presence(String userId, @JsonProperty(required = true) boolean online) implements HostEvent {
        public Presence {
            Require.present(userId, "userId");
        }
    }

    /** Ephemeral: show "typing" for a few seconds unless repeated. */
    record Typing(String channelId, String userId) implements HostEvent {
        public Typing {
            Require.present(channelId, "channelId");
            Require.present(userId, "userId");
        }
    }

    /** The complete participant list of a voice channel after any join, leave or mute change. */
    record VoiceState(String channelId, List<VoiceParticipant> participants) implements HostEvent {
        public VoiceState {
            Require.present(channelId, "channelId");
            participants = Require.list(participants, "participants");
        }
    }

    /** Sent with {@code notify} to the invitee, who is not a member and so not subscribed. */
    record InviteReceived(Invite invite) implements HostEvent {
        public InviteReceived {
            Require.present(invite, "invite");
        }
    }

    /** Sent with {@code notify} to each mentioned user, attached or not. */
    record Mention(String spaceId, Message message) implements HostEvent {
        public Mention {
            Require.present(spaceId, "spaceId");
            Require.present(message, "message");
        }
    }

    /**
     * Sent with {@code send} to the kicked user's sessions right before they are unsubscribed.
     *
     * @param reason optional
     */
    record Kicked(String spaceId, String reason) implements HostEvent {
        public Kicked {
            Require.present(spaceId, "spaceId");
        }
    }

    /**
     * Like {@link Kicked}, and the user cannot rejoin until unbanned.
     *
     * @param reason optional
     */
    record Banned(String spaceId, String reason) implements HostEvent {
        public Banned {
            Require.present(spaceId, "spaceId");
        }
    }
}
