package com.parchchat.client.core;

import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.Member;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.Space;
import com.parchchat.protocol.api.SpaceSnapshot;
import com.parchchat.protocol.api.VoiceChannelState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One space as the client sees it. Every part is an immutable snapshot in a {@link Value}: the
 * space itself, its channels (ordered by position), its members (online first, then by name)
 * and the voice channels' participants.
 */
public final class SpaceState {
  static final Comparator<Channel> CHANNEL_ORDER =
      Comparator.comparingInt(Channel::position).thenComparing(Channel::id);
  static final Comparator<Member> MEMBER_ORDER = Comparator
      .comparing((Member m) -> !m.online())
      .thenComparing(m -> m.role().ordinal())
      .thenComparing(m -> m.displayName().toLowerCase(java.util.Locale.ROOT))
      .thenComparing(Member::userId);

  private final String id;
  private final Value<Space> space;
  private final Value<List<Channel>> channels = new Value<>(List.of());
  private final Value<List<Member>> members = new Value<>(List.of());
  private final Value<List<VoiceChannelState>> voice = new Value<>(List.of());

  SpaceState(SpaceSnapshot snap) {
    this.id = snap.space().id();
    this.space = new Value<>(snap.space());
    apply(snap);
  }

  void apply(SpaceSnapshot snap) {
    space.set(snap.space());
    channels.set(sortedChannels(snap.channels()));
    members.set(sortedMembers(snap.members()));
    voice.set(List.copyOf(snap.voice()));
  }

  public String id() {
    return id;
  }

  public Value<Space> space() {
    return space;
  }

  public Value<List<Channel>> channels() {
    return channels;
  }

  public Value<List<Member>> members() {
    return members;
  }

  public Value<List<VoiceChannelState>> voice() {
    return voice;
  }

  public Optional<Member> member(String userId) {
    return members.get().stream().filter(m -> m.userId().equals(userId)).findFirst();
  }

  /** The role of {@code userId}, or empty for a non-member. */
  public Optional<Role> roleOf(String userId) {
    return member(userId).map(Member::role);
  }

  public Optional<Channel> channel(String channelId) {
    return channels.get().stream().filter(c -> c.id().equals(channelId)).findFirst();
  }

  void putChannel(Channel c) {
    channels.update(list -> {
      List<Channel> next = new ArrayList<>(list);
      next.removeIf(x -> x.id().equals(c.id()));
      next.add(c);
      return sortedChannels(next);
    });
  }

  void removeChannel(String channelId) {
    channels.update(list -> {
      List<Channel> next = new ArrayList<>(list);
      next.removeIf(x -> x.id().equals(channelId));
      return List.copyOf(next);
    });
  }

  void setChannels(List<Channel> list) {
    channels.set(sortedChannels(list));
  }

  void putMember(Member m) {
    members.update(list -> {
      List<Member> next = new ArrayList<>(list);
      next.removeIf(x -> x.userId().equals(m.userId()));
      next.add(m);
      return sortedMembers(next);
    });
  }

  void removeMember(String userId) {
    members.update(list -> {
      List<Member> next = new ArrayList<>(list);
      next.removeIf(x -> x.userId().equals(userId));
      return List.copyOf(next);
    });
  }

  void presence(String userId, boolean online) {
    members.update(list -> {
      boolean changed = false;
      List<Member> next = new ArrayList<>(list.size());
      for (Member m : list) {
        if (m.userId().equals(userId) && m.online() != online) {
          next.add(new Member(m.userId(), m.username(), m.displayName(), m.role(), online));
          changed = true;
        } else {
          next.add(m);
        }
      }
      return changed ? sortedMembers(next) : list;
    });
  }

  void voiceState(VoiceChannelState state) {
    voice.update(list -> {
      List<VoiceChannelState> next = new ArrayList<>(list);
      next.removeIf(v -> v.channelId().equals(state.channelId()));
      if (!state.participants().isEmpty()) {
        next.add(state);
      }
      return List.copyOf(next);
    });
  }

  private static List<Channel> sortedChannels(List<Channel> list) {
    List<Channel> s = new ArrayList<>(list);
    s.sort(CHANNEL_ORDER);
    return List.copyOf(s);
  }

  private static List<Member> sortedMembers(List<Member> list) {
    List<Member> s = new ArrayList<>(list);
    s.sort(MEMBER_ORDER);
    return List.copyOf(s);
  }
}
