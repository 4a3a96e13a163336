package com.parchchat.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.parchchat.protocol.signal.Require;

import java.util.List;

/**
 * Layer-2 host API calls: the {@code body} of a client's {@code request}.
 *
 * <p>Every request gets exactly one reply body with the request's correlation id: either the
 * {@link HostReply} type named by {@link #replyType()}, or {@link HostReply.Error}. Records check
 * structure only (required fields, exclusive options); content limits ({@code Limits}) and
 * permissions are the host's job, because they are configurable and depend on state.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HostRequest.Bootstrap.class, name = "bootstrap"),
        @JsonSubTypes.Type(value = HostRequest.SpaceCreate.class, name = "space.create"),
        @JsonSubTypes.Type(value = HostRequest.SpaceRename.class, name = "space.rename"),
        @JsonSubTypes.Type(value = HostRequest.SpaceDelete.class, name = "space.delete"),
        @JsonSubTypes.Type(value = HostRequest.SpaceLeave.class, name = "space.leave"),
        @JsonSubTypes.Type(value = HostRequest.ChannelCreate.class, name = "channel.create"),
        @JsonSubTypes.Type(value = HostRequest.ChannelRename.class, name = "channel.rename"),
        @JsonSubTypes.Type(value = HostRequest.ChannelReorder.class, name = "channel.reorder"),
        @JsonSubTypes.Type(value = HostRequest.ChannelDelete.class, name = "channel.delete"),
        @JsonSubTypes.Type(value = HostRequest.MemberList.class, name = "member.list"),
        @JsonSubTypes.Type(value = HostRequest.MemberRoleSet.class, name = "member.role.set"),
        @JsonSubTypes.Type(value = HostRequest.MemberKick.class, name = "member.kick"),
        @JsonSubTypes.Type(value = HostRequest.MemberBan.class, name = "member.ban"),
        @JsonSubTypes.Type(value = HostRequest.MemberUnban.class, name = "member.unban"),
        @JsonSubTypes.Type(value = HostRequest.InviteUser.class, name = "invite.user"),
        @JsonSubTypes.Type(value = HostRequest.InviteAccept.class, name = "invite.accept"),
        @JsonSubTypes.Type(value = HostRequest.InviteDecline.class, name = "invite.decline"),
        @JsonSubTypes.Type(value = HostRequest.InviteList.class, name = "invite.list"),
        @JsonSubTypes.Type(value = HostRequest.InviteCodeCreate.class, name = "invite.code.create"),
        @JsonSubTypes.Type(value = HostRequest.InviteCodeRedeem.class, name = "invite.code.redeem"),
        @JsonSubTypes.Type(value = HostRequest.MessageSend.class, name = "message.send"),
        @JsonSubTypes.Type(value = HostRequest.MessageEdit.class, name = "message.edit"),
        @JsonSubTypes.Type(value = HostRequest.MessageDelete.class, name = "message.delete"),
        @JsonSubTypes.Type(value = HostRequest.MessageHistory.class, name = "message.history"),
        @JsonSubTypes.Type(value = HostRequest.MessageSearch.class, name = "message.search"),
        @JsonSubTypes.Type(value = HostRequest.ReactionAdd.class, name = "reaction.add"),
        @JsonSubTypes.Type(value = HostRequest.ReactionRemove.class, name = "reaction.remove"),
        @JsonSubTypes.Type(value = HostRequest.ReadMark.class, name = "read.mark"),
        @JsonSubTypes.Type(value = HostRequest.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = HostRequest.VoiceJoin.class, name = "voice.join"),
        @JsonSubTypes.Type(value = HostRequest.VoiceLeave.class, name = "voice.leave"),
        @JsonSubTypes.Type(value = HostRequest.VoiceStateSet.class, name = "voice.state"),
})
public sealed interface HostRequest {

    /** The reply body type a successful call produces (the alternative is always {@link HostReply.Error}). */
    Class<? extends HostReply> replyType();

    // ---- session ----

    /** The snapshot of everything the user sees on this host; ask right after attaching. */
    record Bootstrap() implements HostRequest {
        @Override
        public Class<HostReply.BootstrapResult> replyType() {
            return HostReply.BootstrapResult.class;
        }
    }

    // ---- spaces ----

    /** Creates a space owned by the caller; the reply is its snapshot (the host may add a default text channel). */
    record SpaceCreate(String name) implements HostRequest {
        public SpaceCreate {
            Require.present(name, "name");
        }

        @Override
        public Class<HostReply.SpaceSnapshotResult> replyType() {
            return HostReply.SpaceSnapshotResult.class;
        }
    }

    /** Owner only; members get {@code space.updated}. */
    record SpaceRename(String spaceId, String name) implements HostRequest {
        public SpaceRename {
            Require.present(spaceId, "spaceId");
            Require.present(name, "name");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** Owner only; deletes all channels and messages; members get {@code space.deleted}. */
    record SpaceDelete(String spaceId) implements HostRequest {
        public SpaceDelete {
            Require.present(spaceId, "spaceId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** The caller leaves (the owner must delete the space or hand ownership on first). */
    record SpaceLeave(String spaceId) implements HostRequest {
        public SpaceLeave {
            Require.present(spaceId, "spaceId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    // ---- channels (admin or owner) ----

    /** Appends a channel at the end of the space's order. */
    record ChannelCreate(String spaceId, String name, ChannelKind kind) implements HostRequest {
        public ChannelCreate {
            Require.present(spaceId, "spaceId");
            Require.present(name, "name");
            Require.present(kind, "kind");
        }

        @Override
        public Class<HostReply.ChannelResult> replyType() {
            return HostReply.ChannelResult.class;
        }
    }

    record ChannelRename(String channelId, String name) implements HostRequest {
        public ChannelRename {
            Require.present(channelId, "channelId");
            Require.present(name, "name");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /**
     * Sets the order of a space's channels.
     *
     * @param channelIds every channel id of the space exactly once, in the new order
     *                   ({@code bad_request} otherwise)
     */
    record ChannelReorder(String spaceId, List<String> channelIds) implements HostRequest {
        public ChannelReorder {
            Require.present(spaceId, "spaceId");
            channelIds = Require.nonEmptyList(channelIds, "channelIds");
        }

        @Override
        public Class<HostReply.ChannelsResult> replyType() {
            return HostReply.ChannelsResult.class;
        }
    }

    record ChannelDelete(String channelId) implements HostRequest {
        public ChannelDelete {
            Require.present(channelId, "channelId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    // ---- members ----

    /**
     * One page of a space's members, ordered by user id.
     *
     * @param after keyset: the last user id of the previous page, absent for the first page
     * @param limit page size, at most {@code Limits.maxMembersPage}; absent means that maximum
     */
    record MemberList(String spaceId, String after, Integer limit) implements HostRequest {
        public MemberList {
            Require.present(spaceId, "spaceId");
            Require.positiveOrNull(limit, "limit");
        }

        @Override
        public Class<HostReply.MembersResult> replyType() {
            return HostReply.MembersResult.class;
        }
    }

    /** Owner only; promoting to {@code owner} transfers ownership (the old owner becomes admin). */
    record MemberRoleSet(String spaceId, String userId, Role role) implements HostRequest {
        public MemberRoleSet {
            Require.present(spaceId, "spaceId");
            Require.present(userId, "userId");
            Require.present(role, "role");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** Removes a member (who may rejoin by invite); admins may kick members, owners anyone but themselves. */
    record MemberKick(String spaceId, String userId) implements HostRequest {
        public MemberKick {
            Require.present(spaceId, "spaceId");
            Require.present(userId, "userId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /**
     * Removes a member and refuses them until unbanned; also works for non-members.
     *
     * @param reason optional, shown to the banned user
     */
    record MemberBan(String spaceId, String userId, String reason) implements HostRequest {
        public MemberBan {
            Require.present(spaceId, "spaceId");
            Require.present(userId, "userId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    record MemberUnban(String spaceId, String userId) implements HostRequest {
        public MemberUnban {
            Require.present(spaceId, "spaceId");
            Require.present(userId, "userId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    // ---- invites ----

    /** Invites a user by username; the invitee is told through {@code notify} ({@code invite.received}). */
    record InviteUser(String spaceId, String username) implements HostRequest {
        public InviteUser {
            Require.present(spaceId, "spaceId");
            Require.present(username, "username");
        }

        @Override
        public Class<HostReply.InviteResult> replyType() {
            return HostReply.InviteResult.class;
        }
    }

    /** Joins the space of an invite addressed to the caller. */
    record InviteAccept(String inviteId) implements HostRequest {
        public InviteAccept {
            Require.present(inviteId, "inviteId");
        }

        @Override
        public Class<HostReply.SpaceSnapshotResult> replyType() {
            return HostReply.SpaceSnapshotResult.class;
        }
    }

    record InviteDecline(String inviteId) implements HostRequest {
        public InviteDecline {
            Require.present(inviteId, "inviteId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** Invites pending for the caller. */
    record InviteList() implements HostRequest {
        @Override
        public Class<HostReply.InvitesResult> replyType() {
            return HostReply.InvitesResult.class;
        }
    }

    /**
     * Creates a shareable code (admin or owner).
     *
     * @param maxUses          absent for unlimited
     * @param expiresInSeconds absent for never
     */
    record InviteCodeCreate(String spaceId, Integer maxUses, Long expiresInSeconds) implements HostRequest {
        public InviteCodeCreate {
            Require.present(spaceId, "spaceId");
            Require.positiveOrNull(maxUses, "maxUses");
            if (expiresInSeconds != null && expiresInSeconds <= 0) {
                throw new IllegalArgumentException("field 'expiresInSeconds' must be positive");
            }
        }

        @Override
        public Class<HostReply.InviteCodeResult> replyType() {
            return HostReply.InviteCodeResult.class;
        }
    }

    /** Joins the space of a valid code ({@code not_found} for unknown, expired or used-up codes alike). */
    record InviteCodeRedeem(String code) implements HostRequest {
        public InviteCodeRedeem {
            Require.present(code, "code");
        }

        @Override
        public Class<HostReply.SpaceSnapshotResult> replyType() {
            return HostReply.SpaceSnapshotResult.class;
        }
    }

    // ---- messages ----

    /**
     * Posts a message. Idempotent per (author, nonce): re-sending after a lost reply returns the
     * already stored message instead of a duplicate. The reply comes only after the commit.
     *
     * @param nonce   client-chosen unique string (e.g. a UUID)
     * @param replyTo id of a message in the same channel, optional
     */
    record MessageSend(String channelId, String nonce, String content, Long replyTo) implements HostRequest {
        public MessageSend {
            Require.present(channelId, "channelId");
            Require.present(nonce, "nonce");
            Require.present(content, "content");
        }

        @Override
        public Class<HostReply.MessageResult> replyType() {
            return HostReply.MessageResult.class;
        }
    }

    /** Replaces the content of the caller's own message. */
    record MessageEdit(@JsonProperty(required = true) long messageId, String content) implements HostRequest {
        public MessageEdit {
            Require.present(content, "content");
        }

        @Override
        public Class<HostReply.MessageResult> replyType() {
            return HostReply.MessageResult.class;
        }
    }

    /** Deletes the caller's own message, or any message for an admin or owner. */
    record MessageDelete(@JsonProperty(required = true) long messageId) implements HostRequest {
        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /**
     * A page of history by keyset: messages with id below {@code before} (newest first from there),
     * or above {@code after} (oldest first from there), or the newest page when both are absent.
     * The reply is always in ascending id order.
     *
     * @param limit at most {@code Limits.maxHistoryPage}; the host may return fewer so the reply fits a frame
     */
    record MessageHistory(String channelId, Long before, Long after,
                          @JsonProperty(required = true) int limit) implements HostRequest {
        public MessageHistory {
            Require.present(channelId, "channelId");
            if (before != null && after != null) {
                throw new IllegalArgumentException("fields 'before' and 'after' are exclusive");
            }
            if (limit <= 0) {
                throw new IllegalArgumentException("field 'limit' must be positive");
            }
        }

        @Override
        public Class<HostReply.MessagesResult> replyType() {
            return HostReply.MessagesResult.class;
        }
    }

    /**
     * Full-text search in the channels of one space the caller can read, newest first.
     *
     * @param before keyset for the next page: the smallest id of the previous page
     * @param limit  at most {@code Limits.maxSearchResults}
     */
    record MessageSearch(String spaceId, String query, Long before,
                         @JsonProperty(required = true) int limit) implements HostRequest {
        public MessageSearch {
            Require.present(spaceId, "spaceId");
            Require.present(query, "query");
            if (limit <= 0) {
                throw new IllegalArgumentException("field 'limit' must be positive");
            }
        }

        @Override
        public Class<HostReply.MessagesResult> replyType() {
            return HostReply.MessagesResult.class;
        }
    }

    /** Idempotent: adding a reaction twice counts once. */
    record ReactionAdd(@JsonProperty(required = true) long messageId, String emoji) implements HostRequest {
        public ReactionAdd {
            Require.present(emoji, "emoji");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** Idempotent: removing an absent reaction is not an error. */
    record ReactionRemove(@JsonProperty(required = true) long messageId, String emoji) implements HostRequest {
        public ReactionRemove {
            Require.present(emoji, "emoji");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** Marks everything up to and including {@code messageId} read; never moves the mark backwards. */
    record ReadMark(String channelId, @JsonProperty(required = true) long messageId) implements HostRequest {
        public ReadMark {
            Require.present(channelId, "channelId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** The caller is typing; fanned out as an ephemeral {@code typing} event, never stored. */
    record Typing(String channelId) implements HostRequest {
        public Typing {
            Require.present(channelId, "channelId");
        }

        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    // ---- voice ----

    /**
     * Asks to join a voice channel. On success the host sends {@code voice.authorize} to the relay,
     * and the relay (not the host) answers this request with {@link HostReply.VoiceGrant}.
     */
    record VoiceJoin(String channelId) implements HostRequest {
        public VoiceJoin {
            Require.present(channelId, "channelId");
        }

        @Override
        public Class<HostReply.VoiceGrant> replyType() {
            return HostReply.VoiceGrant.class;
        }
    }

    /** Leaves the voice channel the caller is in on this host (no-op if none). */
    record VoiceLeave() implements HostRequest {
        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }

    /** Updates the caller's mute/deafen state, shown to the space via {@code voice.state}. */
    record VoiceStateSet(@JsonProperty(required = true) boolean muted,
                         @JsonProperty(required = true) boolean deafened) implements HostRequest {
        @Override
        public Class<HostReply.Ok> replyType() {
            return HostReply.Ok.class;
        }
    }
}
