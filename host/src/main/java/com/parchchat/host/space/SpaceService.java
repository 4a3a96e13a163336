package com.parchchat.host.space;

import com.parchchat.host.auth.Access;
import com.parchchat.host.auth.HostApiException;
import com.parchchat.host.auth.Ids;
import com.parchchat.host.relaylink.UserDirectory;
import com.parchchat.host.session.Caller;
import com.parchchat.host.session.ChatContext;
import com.parchchat.host.store.Db;
import com.parchchat.host.voice.VoiceRooms;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.api.Invite;
import com.parchchat.protocol.api.InviteCode;
import com.parchchat.protocol.api.Member;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.Space;
import com.parchchat.protocol.api.SpaceSnapshot;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.UserRef;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Spaces, channels, members, bans and invites. Every write re-checks authorization inside its
 * own transaction (so a concurrent kick cannot race a check), and events go out only after the
 * commit, unsubscribe before the event that tells the others, so a removed session gets nothing
 * more from the space.
 */
public final class SpaceService {
  private final ChatContext ctx;
  private final UserDirectory directory;
  private final Executor readPool;

  public SpaceService(ChatContext ctx, UserDirectory directory, Executor readPool) {
    this.ctx = ctx;
    this.directory = directory;
    this.readPool = readPool;
  }

  private static final HostReply OK = new HostReply.Ok();

  /** Everything a client shows for one space. */
  public SpaceSnapshot snapshot(Db db, long spaceId) throws SQLException {
    Space space = SpaceRepository.space(db, spaceId).orElseThrow(() -> HostApiException.notFound("space"));
    List<Channel> channels = SpaceRepository.channels(db, spaceId);
    List<Member> members = SpaceRepository.members(db, spaceId, null, ctx.limits().maxMembersPage(),
        ctx.sessions()::isOnline);
    List<String> voiceIds = new ArrayList<>();
    for (Channel c : channels) {
      if (c.kind() == ChannelKind.VOICE) {
        voiceIds.add(c.id());
      }
    }
    return new SpaceSnapshot(space, channels, members, ctx.voice().states(voiceIds));
  }

  public CompletableFuture<HostReply> create(Caller c, HostRequest.SpaceCreate r) {
    String name = Names.check(r.name(), ctx.limits());
    return ctx.store().write(db -> {
      Space s = SpaceRepository.createSpace(db, name, c.userId(), ctx.now());
      SpaceRepository.createChannel(db, Long.parseLong(s.id()), "general", ChannelKind.TEXT, ctx.now());
      return snapshot(db, Long.parseLong(s.id()));
    }).thenApply(snap -> {
      ctx.fanout().subscribeUser(c.userId(), snap.space().id());
      return new HostReply.SpaceSnapshotResult(snap);
    });
  }

  public CompletableFuture<HostReply> rename(Caller c, HostRequest.SpaceRename r) {
    String name = Names.check(r.name(), ctx.limits());
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.OWNER);
      SpaceRepository.renameSpace(db, id, name);
      return SpaceRepository.space(db, id).orElseThrow();
    }).thenApply(space -> {
      ctx.fanout().publish(space.id(), new HostEvent.SpaceUpdated(space));
      return OK;
    });
  }

  public CompletableFuture<HostReply> delete(Caller c, HostRequest.SpaceDelete r) {
    long id = Ids.parse(r.spaceId());
    record Gone(List<String> members, List<String> channels) {}
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.OWNER);
      List<String> members = new ArrayList<>();
      for (Member m : SpaceRepository.members(db, id, null, Integer.MAX_VALUE, u -> false)) {
        members.add(m.userId());
      }
      List<String> channels = new ArrayList<>();
      for (Channel ch : SpaceRepository.channels(db, id)) {
        channels.add(ch.id());
      }
      SpaceRepository.deleteSpace(db, id);
      return new Gone(members, channels);
    }).thenApply(gone -> {
      String sid = r.spaceId();
      ctx.voice().clearChannels(gone.channels());
      ctx.fanout().publish(sid, new HostEvent.SpaceDeleted(sid));
      for (String m : gone.members()) {
        ctx.fanout().unsubscribeUser(m, sid);
      }
      return OK;
    });
  }

  public CompletableFuture<HostReply> leave(Caller c, HostRequest.SpaceLeave r) {
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Role role = Access.requireMember(db, id, c.userId());
      if (role == Role.OWNER) {
        throw HostApiException.conflict("the owner must hand ownership on or delete the space before leaving");
      }
      SpaceRepository.removeMember(db, id, c.userId());
      return true;
    }).thenApply(x -> {
      removed(c.userId(), r.spaceId(), null);
      return OK;
    });
  }

  /** After a member left or was removed: out of voice, unsubscribed, the others told. */
  private void removed(String userId, String spaceId, HostEvent toUser) {
    synchronized (ctx.voice()) { // in order with other voice snapshots (see VoiceService)
      for (VoiceRooms.Change ch : ctx.voice().removeUserFromSpace(userId, spaceId)) {
        ctx.fanout().publish(ch.spaceId(), new HostEvent.VoiceState(ch.state().channelId(), ch.state().participants()));
        // out of the SFU room at once, whatever their client does (the relay holds the SFU admin secret)
        ctx.fanout().raw(new HostToRelay.VoiceKick(userId, ch.state().channelId()));
      }
    }
    if (toUser != null) {
      ctx.fanout().sendUser(userId, toUser);
    }
    ctx.fanout().unsubscribeUser(userId, spaceId);
    ctx.fanout().publish(spaceId, new HostEvent.MemberLeft(spaceId, userId));
  }

  // ---- channels ----

  public CompletableFuture<HostReply> createChannel(Caller c, HostRequest.ChannelCreate r) {
    String name = Names.check(r.name(), ctx.limits());
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.ADMIN);
      return SpaceRepository.createChannel(db, id, name, r.kind(), ctx.now());
    }).thenApply(ch -> {
      ctx.fanout().publish(ch.spaceId(), new HostEvent.ChannelCreated(ch));
      return new HostReply.ChannelResult(ch);
    });
  }

  private Channel adminChannel(Db db, String channelId, String userId) throws SQLException {
    Channel ch = SpaceRepository.channel(db, Ids.parse(channelId)).orElseThrow(() -> HostApiException.notFound("channel"));
    if (Access.roleOf(db, Long.parseLong(ch.spaceId()), userId) == null) {
      throw HostApiException.notFound("channel");
    }
    Access.requireRole(db, Long.parseLong(ch.spaceId()), userId, Role.ADMIN);
    return ch;
  }

  public CompletableFuture<HostReply> renameChannel(Caller c, HostRequest.ChannelRename r) {
    String name = Names.check(r.name(), ctx.limits());
    return ctx.store().write(db -> {
      Channel ch = adminChannel(db, r.channelId(), c.userId());
      SpaceRepository.renameChannel(db, Long.parseLong(ch.id()), name);
      return SpaceRepository.channel(db, Long.parseLong(ch.id())).orElseThrow();
    }).thenApply(ch -> {
      ctx.fanout().publish(ch.spaceId(), new HostEvent.ChannelUpdated(ch));
      return OK;
    });
  }

  public CompletableFuture<HostReply> reorder(Caller c, HostRequest.ChannelReorder r) {
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.ADMIN);
      return SpaceRepository.reorder(db, id, r.channelIds());
    }).thenApply(channels -> {
      for (Channel ch : channels) {
        ctx.fanout().publish(ch.spaceId(), new HostEvent.ChannelUpdated(ch));
      }
      return new HostReply.ChannelsResult(r.spaceId(), channels);
    });
  }

  public CompletableFuture<HostReply> deleteChannel(Caller c, HostRequest.ChannelDelete r) {
    return ctx.store().write(db -> {
      Channel ch = adminChannel(db, r.channelId(), c.userId());
      SpaceRepository.deleteChannel(db, Long.parseLong(ch.spaceId()), Long.parseLong(ch.id()));
      return ch;
    }).thenApply(ch -> {
      ctx.voice().clearChannels(List.of(ch.id()));
      ctx.fanout().publish(ch.spaceId(), new HostEvent.ChannelDeleted(ch.spaceId(), ch.id()));
      return OK;
    });
  }

  // ---- members ----

  public CompletableFuture<HostReply> members(Caller c, HostRequest.MemberList r) {
    long id = Ids.parse(r.spaceId());
    int max = ctx.limits().maxMembersPage();
    int limit = r.limit() == null ? max : Math.min(r.limit(), max);
    return CompletableFuture.supplyAsync(() -> ctx.store().read(db -> {
      Access.requireMember(db, id, c.userId());
      List<Member> page = new ArrayList<>(SpaceRepository.members(db, id, r.after(), limit + 1, ctx.sessions()::isOnline));
      boolean more = page.size() > limit;
      if (more) {
        page.remove(page.size() - 1);
      }
      return new HostReply.MembersResult(r.spaceId(), page, more);
    }), readPool);
  }

  public CompletableFuture<HostReply> setRole(Caller c, HostRequest.MemberRoleSet r) {
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.OWNER);
      if (r.userId().equals(c.userId())) {
        throw HostApiException.badRequest("the owner cannot change their own role; promote someone else to owner");
      }
      if (Access.roleOf(db, id, r.userId()) == null) {
        throw HostApiException.notFound("member");
      }
      List<Member> changed = new ArrayList<>();
      SpaceRepository.setRole(db, id, r.userId(), r.role());
      if (r.role() == Role.OWNER) {
        SpaceRepository.setRole(db, id, c.userId(), Role.ADMIN);
        changed.add(SpaceRepository.member(db, id, c.userId(), ctx.sessions()::isOnline).orElseThrow());
      }
      changed.add(SpaceRepository.member(db, id, r.userId(), ctx.sessions()::isOnline).orElseThrow());
      return changed;
    }).thenApply(changed -> {
      for (Member m : changed) {
        ctx.fanout().publish(r.spaceId(), new HostEvent.MemberUpdated(r.spaceId(), m));
      }
      return OK;
    });
  }

  public CompletableFuture<HostReply> kick(Caller c, HostRequest.MemberKick r) {
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Role actor = Access.requireMember(db, id, c.userId());
      Role target = Access.roleOf(db, id, r.userId());
      if (target == null) {
        throw HostApiException.notFound("member");
      }
      if (!Access.mayRemove(actor, target)) {
        throw HostApiException.forbidden("your role may not remove this member");
      }
      SpaceRepository.removeMember(db, id, r.userId());
      return true;
    }).thenApply(x -> {
      removed(r.userId(), r.spaceId(), new HostEvent.Kicked(r.spaceId(), null));
      return OK;
    });
  }

  public CompletableFuture<HostReply> ban(Caller c, HostRequest.MemberBan r) {
    long id = Ids.parse(r.spaceId());
    String reason = r.reason() == null ? null : clip(r.reason(), ctx.limits().maxNameChars() * 5);
    return ctx.store().write(db -> {
      Role actor = Access.requireRole(db, id, c.userId(), Role.ADMIN);
      if (r.userId().equals(c.userId())) {
        throw HostApiException.badRequest("you cannot ban yourself");
      }
      Role target = Access.roleOf(db, id, r.userId());
      if (target != null && !Access.mayRemove(actor, target)) {
        throw HostApiException.forbidden("your role may not ban this member");
      }
      SpaceRepository.ban(db, id, r.userId(), c.userId(), reason, ctx.now());
      return target != null && SpaceRepository.removeMember(db, id, r.userId());
    }).thenApply(wasMember -> {
      if (wasMember) {
        removed(r.userId(), r.spaceId(), new HostEvent.Banned(r.spaceId(), reason));
      }
      return OK;
    });
  }

  public CompletableFuture<HostReply> unban(Caller c, HostRequest.MemberUnban r) {
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.ADMIN);
      SpaceRepository.unban(db, id, r.userId());
      return OK;
    });
  }

  // ---- invites ----

  public CompletableFuture<HostReply> invite(Caller c, HostRequest.InviteUser r) {
    long id = Ids.parse(r.spaceId());
    if (r.username().length() > ctx.limits().maxIdChars()) {
      throw HostApiException.tooLarge("username too long");
    }
    // fail fast for non-members before asking the relay anything
    ctx.store().read(db -> Access.requireMember(db, id, c.userId()));
    return directory.lookup(r.username()).thenCompose(found -> {
      UserRef invitee = found.orElseThrow(() -> HostApiException.notFound("user"));
      return ctx.store().write(db -> {
        Access.requireMember(db, id, c.userId());
        if (Access.roleOf(db, id, invitee.id()) != null) {
          throw HostApiException.conflict("already a member");
        }
        if (SpaceRepository.isBanned(db, id, invitee.id())) {
          throw HostApiException.forbidden("this user is banned from the space");
        }
        SpaceRepository.upsertUser(db, invitee, ctx.now());
        return SpaceRepository.createInvite(db, id, c.userId(), invitee.id(), ctx.now());
      });
    }).thenApply(inv -> {
      ctx.fanout().notify(inv.invitee().id(), new HostEvent.InviteReceived(inv));
      return new HostReply.InviteResult(inv);
    });
  }

  public CompletableFuture<HostReply> accept(Caller c, HostRequest.InviteAccept r) {
    long inviteId = Ids.parse(r.inviteId());
    return ctx.store().write(db -> {
      Invite inv = SpaceRepository.pendingInvite(db, inviteId)
          .filter(i -> i.invitee().id().equals(c.userId()))
          .orElseThrow(() -> HostApiException.notFound("invite"));
      long spaceId = Long.parseLong(inv.spaceId());
      if (SpaceRepository.isBanned(db, spaceId, c.userId())) {
        throw HostApiException.forbidden("you are banned from this space");
      }
      SpaceRepository.decideInvite(db, inviteId, true, ctx.now());
      if (Access.roleOf(db, spaceId, c.userId()) == null) {
        SpaceRepository.addMember(db, spaceId, c.userId(), Role.MEMBER, ctx.now());
      }
      return snapshot(db, spaceId);
    }).thenApply(snap -> joined(c, snap));
  }

  private HostReply joined(Caller c, SpaceSnapshot snap) {
    String sid = snap.space().id();
    ctx.fanout().subscribeUser(c.userId(), sid);
    for (Member m : snap.members()) {
      if (m.userId().equals(c.userId())) {
        ctx.fanout().publish(sid, new HostEvent.MemberJoined(sid, m));
      }
    }
    return new HostReply.SpaceSnapshotResult(snap);
  }

  public CompletableFuture<HostReply> decline(Caller c, HostRequest.InviteDecline r) {
    long inviteId = Ids.parse(r.inviteId());
    return ctx.store().write(db -> {
      SpaceRepository.pendingInvite(db, inviteId)
          .filter(i -> i.invitee().id().equals(c.userId()))
          .orElseThrow(() -> HostApiException.notFound("invite"));
      SpaceRepository.decideInvite(db, inviteId, false, ctx.now());
      return OK;
    });
  }

  public CompletableFuture<HostReply> invites(Caller c) {
    return CompletableFuture.supplyAsync(
        () -> new HostReply.InvitesResult(ctx.store().read(db -> SpaceRepository.pendingInvitesFor(db, c.userId()))),
        readPool);
  }

  public CompletableFuture<HostReply> createCode(Caller c, HostRequest.InviteCodeCreate r) {
    long id = Ids.parse(r.spaceId());
    return ctx.store().write(db -> {
      Access.requireRole(db, id, c.userId(), Role.ADMIN);
      long now = ctx.now();
      Long expires = r.expiresInSeconds() == null ? null : now + Math.min(r.expiresInSeconds(), 10L * 365 * 86400) * 1000;
      InviteCode code = SpaceRepository.createCode(db, id, c.userId(), r.maxUses(), expires, now);
      return (HostReply) new HostReply.InviteCodeResult(code);
    });
  }

  public CompletableFuture<HostReply> redeem(Caller c, HostRequest.InviteCodeRedeem r) {
    if (r.code().length() > ctx.limits().maxIdChars()) {
      throw HostApiException.notFound("invite code");
    }
    return ctx.store().write(db -> {
      long spaceId = SpaceRepository.useCode(db, r.code(), ctx.now());
      if (SpaceRepository.isBanned(db, spaceId, c.userId())) {
        throw HostApiException.forbidden("you are banned from this space");
      }
      if (Access.roleOf(db, spaceId, c.userId()) != null) {
        throw HostApiException.conflict("already a member");
      }
      SpaceRepository.addMember(db, spaceId, c.userId(), Role.MEMBER, ctx.now());
      return snapshot(db, spaceId);
    }).thenApply(snap -> joined(c, snap));
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

}
