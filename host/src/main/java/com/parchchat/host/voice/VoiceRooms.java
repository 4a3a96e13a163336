package com.parchchat.host.voice;

import com.parchchat.protocol.api.VoiceChannelState;
import com.parchchat.protocol.api.VoiceParticipant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is in which voice channel, in memory (voice presence does not survive a host restart; the
 * SFU tokens the relay minted expire on their own). Keyed by session: one session is in at most
 * one voice channel. Thread-safe.
 */
public final class VoiceRooms {
  private record Entry(String spaceId, String channelId, String userId, VoiceParticipant participant) {}

  private final Map<String, Entry> bySession = new HashMap<>();
  private final Map<String, LinkedHashMap<String, Entry>> byChannel = new HashMap<>();

  /** A channel whose participant list changed, with the space to publish it to. */
  public record Change(String spaceId, VoiceChannelState state) {}

  /**
   * Puts a session into a channel (leaving the previous one). Returns the changed channels, or
   * null when the channel is full.
   */
  public synchronized List<Change> join(String session, String spaceId, String channelId, String userId,
      String displayName, int capacity) {
    Entry current = bySession.get(session);
    if (current != null && current.channelId().equals(channelId)) {
      return List.of(new Change(spaceId, state(channelId)));
    }
    LinkedHashMap<String, Entry> room = byChannel.computeIfAbsent(channelId, k -> new LinkedHashMap<>());
    if (room.size() >= capacity) {
      if (room.isEmpty()) {
        byChannel.remove(channelId);
      }
      return null;
    }
    List<Change> changes = new ArrayList<>();
    Change left = leave(session);
    if (left != null) {
      changes.add(left);
    }
    Entry e = new Entry(spaceId, channelId, userId, new VoiceParticipant(userId, displayName, false, false));
    room.put(session, e);
    bySession.put(session, e);
    changes.add(new Change(spaceId, state(channelId)));
    return changes;
  }

  /** Takes a session out of its channel; null when it was in none. */
  public synchronized Change leave(String session) {
    Entry e = bySession.remove(session);
    if (e == null) {
      return null;
    }
    LinkedHashMap<String, Entry> room = byChannel.get(e.channelId());
    if (room != null) {
      room.remove(session);
      if (room.isEmpty()) {
        byChannel.remove(e.channelId());
      }
    }
    return new Change(e.spaceId(), state(e.channelId()));
  }

  /** Updates mute/deafen; null when the session is in no channel. */
  public synchronized Change setState(String session, boolean muted, boolean deafened) {
    Entry e = bySession.get(session);
    if (e == null) {
      return null;
    }
    VoiceParticipant p = e.participant();
    Entry updated = new Entry(e.spaceId(), e.channelId(), e.userId(),
        new VoiceParticipant(p.userId(), p.displayName(), muted, deafened));
    bySession.put(session, updated);
    byChannel.get(e.channelId()).put(session, updated);
    return new Change(e.spaceId(), state(e.channelId()));
  }

  /** Removes every session of {@code userId} from the channels of a space (kick, ban, leave). */
  public synchronized List<Change> removeUserFromSpace(String userId, String spaceId) {
    List<String> sessions = new ArrayList<>();
    for (Map.Entry<String, Entry> e : bySession.entrySet()) {
      if (e.getValue().userId().equals(userId) && e.getValue().spaceId().equals(spaceId)) {
        sessions.add(e.getKey());
      }
    }
    List<Change> out = new ArrayList<>();
    for (String s : sessions) {
      out.add(leave(s));
    }
    return out;
  }

  /** Empties channels (deleted channel or space); returns nothing to publish, nobody is left. */
  public synchronized void clearChannels(Collection<String> channelIds) {
    for (String c : channelIds) {
      LinkedHashMap<String, Entry> room = byChannel.remove(c);
      if (room != null) {
        for (String s : room.keySet()) {
          bySession.remove(s);
        }
      }
    }
  }

  public synchronized VoiceChannelState state(String channelId) {
    LinkedHashMap<String, Entry> room = byChannel.get(channelId);
    List<VoiceParticipant> list = new ArrayList<>();
    if (room != null) {
      for (Entry e : room.values()) {
        list.add(e.participant());
      }
    }
    return new VoiceChannelState(channelId, list);
  }

  /** Non-empty channels among {@code channelIds}. */
  public synchronized List<VoiceChannelState> states(Collection<String> channelIds) {
    List<VoiceChannelState> out = new ArrayList<>();
    for (String c : channelIds) {
      if (byChannel.containsKey(c)) {
        out.add(state(c));
      }
    }
    return out;
  }

  public synchronized void clear() {
    bySession.clear();
    byChannel.clear();
  }
}
