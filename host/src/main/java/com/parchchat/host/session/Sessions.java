package com.parchchat.host.session;

import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sessions the relay has open on this host, and so which users are online. Thread-safe; all
 * methods are short and lock one monitor.
 */
public final class Sessions {
  private final Map<String, UserRef> bySession = new HashMap<>();
  private final Map<String, Set<String>> byUser = new HashMap<>();

  /** Registers a session; returns true when it is the user's first (the user came online). */
  public synchronized boolean open(String session, UserRef user) {
    UserRef previous = bySession.put(session, user);
    if (previous != null && !previous.id().equals(user.id())) {
      removeFromUser(previous.id(), session);
    }
    Set<String> set = byUser.computeIfAbsent(user.id(), k -> new LinkedHashSet<>());
    boolean first = set.isEmpty();
    set.add(session);
    return first;
  }

  /** Result of closing a session. */
  public record Closed(UserRef user, boolean lastSession) {}

  /** Forgets a session; null when it was unknown. */
  public synchronized Closed close(String session) {
    UserRef user = bySession.remove(session);
    if (user == null) {
      return null;
    }
    return new Closed(user, removeFromUser(user.id(), session));
  }

  private boolean removeFromUser(String userId, String session) {
    Set<String> set = byUser.get(userId);
    if (set == null) {
      return true;
    }
    set.remove(session);
    if (set.isEmpty()) {
      byUser.remove(userId);
      return true;
    }
    return false;
  }

  public synchronized List<String> sessionsOf(String userId) {
    Set<String> set = byUser.get(userId);
    return set == null ? List.of() : new ArrayList<>(set);
  }

  public synchronized boolean isOnline(String userId) {
    return byUser.containsKey(userId);
  }

  public synchronized UserRef user(String session) {
    return bySession.get(session);
  }

  /** Every user with at least one session, for the status window. */
  public synchronized List<UserRef> onlineUsers() {
    List<UserRef> out = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (UserRef u : bySession.values()) {
      if (seen.add(u.id())) {
        out.add(u);
      }
    }
    return out;
  }

  /** Forgets everything (the relay connection dropped, so every session is gone). */
  public synchronized List<UserRef> clear() {
    List<UserRef> out = onlineUsers();
    bySession.clear();
    byUser.clear();
    return out;
  }
}
