package com.parchchat.relay.routing;

import com.parchchat.protocol.signal.UserRef;
import com.parchchat.relay.config.LimitsConfig;
import com.parchchat.relay.metrics.RelayMetrics;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * An authenticated client WebSocket connection: its relay session id (what hosts see), the
 * verified user, which hosts it is attached to, its topic subscriptions per host and its
 * requests waiting for a host's reply.
 */
public final class ClientSession extends Peer {
  private final String id;
  private final UserRef user;
  private final String loginSessionId;
  final Set<String> attached = ConcurrentHashMap.newKeySet();
  /** host id → topics this session is subscribed to at that host. */
  final Map<String, Set<String>> topics = new ConcurrentHashMap<>();
  /** request id → pending request. */
  final Map<String, Pending> pending = new ConcurrentHashMap<>();
  /** host id → voice rooms (host-local names) granted to this session there. */
  final Map<String, Set<String>> voiceRooms = new ConcurrentHashMap<>();

  /** A request forwarded to a host and not answered yet. */
  static final class Pending {
    final String hostId;
    volatile ScheduledFuture<?> timeout;

    Pending(String hostId) {
      this.hostId = hostId;
    }
  }

  public ClientSession(
      String id, UserRef user, String loginSessionId, Channel channel, RelayMetrics metrics, LimitsConfig limits) {
    super(channel, metrics, limits);
    this.id = id;
    this.user = user;
    this.loginSessionId = loginSessionId;
  }

  public String id() {
    return id;
  }

  public UserRef user() {
    return user;
  }

  public String loginSessionId() {
    return loginSessionId;
  }

  public boolean isAttached(String hostId) {
    return attached.contains(hostId);
  }

  @Override
  public String describe() {
    return "client session " + id + " (user " + user.id() + ", " + channel.remoteAddress() + ")";
  }
}
