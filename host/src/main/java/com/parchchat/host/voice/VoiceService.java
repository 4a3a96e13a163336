package com.parchchat.host.voice;

import com.parchchat.host.auth.Access;
import com.parchchat.host.auth.HostApiException;
import com.parchchat.host.auth.Ids;
import com.parchchat.host.session.Caller;
import com.parchchat.host.session.ChatContext;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.signal.HostToRelay;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Voice: the host decides who may join which voice channel (member, voice channel, capacity) and
 * tells the relay with {@code voice.authorize}; the relay, which holds the SFU and TURN secrets,
 * answers the client's {@code voice.join} itself. Voice state is published to the space.
 */
public final class VoiceService {
  private final ChatContext ctx;
  private final Executor readPool;

  public VoiceService(ChatContext ctx, Executor readPool) {
    this.ctx = ctx;
    this.readPool = readPool;
  }

  /** Completes with null on success: the reply to the client comes from the relay. */
  public CompletableFuture<HostReply> join(Caller c, String requestId, HostRequest.VoiceJoin r) {
    long channelId = Ids.parse(r.channelId());
    return CompletableFuture.supplyAsync(() -> {
      Access.ChannelAccess a = ctx.store().read(db -> Access.requireChannel(db, channelId, c.userId()));
      if (a.kind() != ChannelKind.VOICE) {
        throw HostApiException.badRequest("not a voice channel");
      }
      String spaceId = Long.toString(a.spaceId());
      // change and publish under the rooms' lock: concurrent joins on the read pool must not publish
      // their snapshots out of order (a late, older snapshot would hide the newest participant)
      synchronized (ctx.voice()) {
        List<VoiceRooms.Change> changes = ctx.voice().join(c.session(), spaceId, r.channelId(), c.userId(),
            c.user().displayName(), ctx.config().voiceCapacity());
        if (changes == null) {
          throw HostApiException.conflict("the voice channel is full (" + ctx.config().voiceCapacity() + ")");
        }
        ctx.fanout().raw(new HostToRelay.VoiceAuthorize(c.session(), requestId, r.channelId(), true));
        publish(changes);
      }
      return null;
    }, readPool);
  }

  public CompletableFuture<HostReply> leave(Caller c) {
    synchronized (ctx.voice()) {
      VoiceRooms.Change change = ctx.voice().leave(c.session());
      if (change != null) {
        publish(List.of(change));
      }
    }
    return CompletableFuture.completedFuture(new HostReply.Ok());
  }

  public CompletableFuture<HostReply> setState(Caller c, HostRequest.VoiceStateSet r) {
    synchronized (ctx.voice()) {
      VoiceRooms.Change change = ctx.voice().setState(c.session(), r.muted(), r.deafened());
      if (change != null) {
        publish(List.of(change));
      }
    }
    return CompletableFuture.completedFuture(new HostReply.Ok());
  }

  /** A session went away: take it out of voice. */
  public void sessionClosed(String session) {
    synchronized (ctx.voice()) {
      VoiceRooms.Change change = ctx.voice().leave(session);
      if (change != null) {
        publish(List.of(change));
      }
    }
  }

  private void publish(List<VoiceRooms.Change> changes) {
    for (VoiceRooms.Change ch : changes) {
      ctx.fanout().publish(ch.spaceId(), new HostEvent.VoiceState(ch.state().channelId(), ch.state().participants()));
    }
  }
}
