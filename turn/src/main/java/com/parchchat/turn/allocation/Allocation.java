package com.parchchat.turn.allocation;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One allocation (RFC 8656 §2.2, §6): the relayed transport address, its permissions
 * (RFC 8656 §9, 300 s each) and channel bindings (§12, 600 s each), and a time-to-expiry.
 * Expiry is checked lazily on every use with the injected clock and cleaned up by
 * {@link AllocationManager#sweep}, so tests can move time without sleeping. The data path
 * runs on the client's event loop; maps are concurrent because the sweeper and metrics read them.
 */
public final class Allocation {
  /** RFC 8656 §9: "The lifetime of a permission is 300 seconds (= 5 minutes)". */
  public static final long PERMISSION_LIFETIME_MILLIS = 300_000;

  /** Result of a ChannelBind attempt, RFC 8656 §12.2. */
  public enum BindResult {
    BOUND,
    /** The channel number is bound to a different peer, or the peer to a different channel. */
    CONFLICT
  }

  private final FiveTuple fiveTuple;
  private final String username;
  private final String quotaKey;
  private final ClientSink client;
  private final byte[] allocateTransactionId;
  private final ConcurrentHashMap<InetAddress, Long> permissions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, ChannelBinding> channels = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetSocketAddress, ChannelBinding> channelsByPeer = new ConcurrentHashMap<>();
  /** Data-path hints (the last binding used in each direction); only the allocation's loop writes them. */
  private ChannelBinding lastByNumber;
  private ChannelBinding lastByPeer;
  private final BandwidthLimiter toPeer;
  private final BandwidthLimiter toClient;
  private volatile Channel relay;
  /** The relay socket's file descriptor for sending without Netty's pipeline (epoll only), or null. */
  private volatile io.netty.channel.unix.Socket relaySocket;
  /** The native data path's reader of the relay socket (server package), or null on Netty's path. */
  private volatile Object nativeRelay;
  /**
   * Earliest expiry among permissions and channel bindings (a lower bound: refreshes do not
   * raise it), so the periodic {@link #prune} skips allocations with nothing due.
   */
  private final AtomicLong nextPruneAt = new AtomicLong(Long.MAX_VALUE);
  private volatile InetSocketAddress relayedAddress;
  private volatile int relayPort = -1;
  private volatile byte[] allocateResponse;
  private volatile long expiresAt;
  private volatile boolean closed;

  Allocation(FiveTuple fiveTuple, String username, String quotaKey, ClientSink client, byte[] allocateTransactionId,
      long maxBps, long now) {
    this.fiveTuple = fiveTuple;
    this.username = username;
    this.quotaKey = quotaKey;
    this.client = client;
    this.allocateTransactionId = allocateTransactionId.clone();
    this.toPeer = new BandwidthLimiter(maxBps, now);
    this.toClient = new BandwidthLimiter(maxBps, now);
    this.expiresAt = now + 60_000; // placeholder until the relay is bound
  }

  public FiveTuple fiveTuple() {
    return fiveTuple;
  }

  public String username() {
    return username;
  }

  String quotaKey() {
    return quotaKey;
  }

  public ClientSink client() {
    return client;
  }

  public boolean isAllocateRetransmission(byte[] transactionId) {
    return java.util.Arrays.equals(allocateTransactionId, transactionId);
  }

  /** The success response sent for the Allocate, kept to answer retransmissions; null while binding. */
  public byte[] allocateResponse() {
    return allocateResponse;
  }

  public void activate(Channel relay, InetSocketAddress relayedAddress, int relayPort, byte[] response, long expiresAt) {
    this.relay = relay;
    this.relayedAddress = relayedAddress;
    this.relayPort = relayPort;
    this.allocateResponse = response;
    this.expiresAt = expiresAt;
  }

  /** The relay socket, or null while it is still being bound. */
  public Channel relay() {
    return relay;
  }

  /**
   * The relay socket's descriptor, for the ChannelData fast path to {@code sendto} the peer
   * directly; null with the NIO transport or while binding.
   */
  public io.netty.channel.unix.Socket relaySocket() {
    return relaySocket;
  }

  public void relaySocket(io.netty.channel.unix.Socket socket) {
    this.relaySocket = socket;
  }

  /** The native relay reader attached to this allocation (an opaque server-side object), or null. */
  public Object nativeRelay() {
    return nativeRelay;
  }

  public void nativeRelay(Object reader) {
    this.nativeRelay = reader;
  }

  public InetSocketAddress relayedAddress() {
    return relayedAddress;
  }

  int relayPort() {
    return relayPort;
  }

  public long expiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(long expiresAt) {
    this.expiresAt = expiresAt;
  }

  public boolean isExpired(long now) {
    return now >= expiresAt;
  }

  public boolean isClosed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }

  public BandwidthLimiter toPeer() {
    return toPeer;
  }

  public BandwidthLimiter toClient() {
    return toClient;
  }

  /** Installs or refreshes the permission for {@code ip} (port ignored, RFC 8656 §9). */
  public void installPermission(InetAddress ip, long now) {
    long until = now + PERMISSION_LIFETIME_MILLIS;
    permissions.put(ip, until);
    nextPruneAt.accumulateAndGet(until, Math::min);
  }

  public boolean hasPermission(InetAddress ip, long now) {
    Long until = permissions.get(ip);
    return until != null && now < until;
  }

  public int permissionCount() {
    return permissions.size();
  }

  /** RFC 8656 §12.2: bind or refresh {@code number} ↔ {@code peer} for 10 minutes. */
  public BindResult bindChannel(int number, InetSocketAddress peer, long now) {
    ChannelBinding byNumber = channels.get(number);
    if (byNumber != null && now >= byNumber.expiresAt()) {
      removeChannel(byNumber);
      byNumber = null;
    }
    ChannelBinding byPeer = channelsByPeer.get(peer);
    if (byPeer != null && now >= byPeer.expiresAt()) {
      removeChannel(byPeer);
      byPeer = null;
    }
    if (byNumber != null && !byNumber.peer().equals(peer)) {
      return BindResult.CONFLICT;
    }
    if (byPeer != null && byPeer.number() != number) {
      return BindResult.CONFLICT;
    }
    long until = now + ChannelBinding.LIFETIME_MILLIS;
    if (byNumber != null) {
      byNumber.refresh(until);
    } else {
      ChannelBinding b = new ChannelBinding(number, peer, until);
      channels.put(number, b);
      channelsByPeer.put(peer, b);
      nextPruneAt.accumulateAndGet(until, Math::min);
    }
    return BindResult.BOUND;
  }

  /**
   * The live binding for a channel number, or null. The last binding found is remembered: a
   * binding leaves the maps only once expired, so a remembered one that has not expired is
   * still the binding for its number, and the data path skips the map lookup.
   */
  public ChannelBinding channel(int number, long now) {
    ChannelBinding b = lastByNumber;
    if (b != null && b.number() == number && now < b.expiresAt()) {
      return b;
    }
    b = channels.get(number);
    if (b == null || now >= b.expiresAt()) {
      return null;
    }
    lastByNumber = b;
    return b;
  }

  /** The live binding for a peer transport address, or null; remembers the last one like {@link #channel}. */
  public ChannelBinding channelForPeer(InetSocketAddress peer, long now) {
    ChannelBinding b = lastByPeer;
    if (b != null && now < b.expiresAt() && b.peer().equals(peer)) {
      return b;
    }
    b = channelsByPeer.get(peer);
    if (b == null || now >= b.expiresAt()) {
      return null;
    }
    lastByPeer = b;
    return b;
  }

  /**
   * {@link #hasPermission} for a binding's peer. A permission only ends by expiring, so the
   * binding remembers the expiry it last saw and the map is consulted again only after it.
   */
  public boolean hasPermission(ChannelBinding b, long now) {
    if (now < b.permittedUntil) {
      return true;
    }
    Long until = permissions.get(b.peer().getAddress());
    if (until == null || now >= until) {
      return false;
    }
    b.permittedUntil = until;
    return true;
  }

  public int channelCount() {
    return channels.size();
  }

  private void removeChannel(ChannelBinding b) {
    channels.remove(b.number(), b);
    channelsByPeer.remove(b.peer(), b);
  }

  /**
   * Drops expired permissions and channel bindings. Runs every second over every allocation, so
   * it returns at once while nothing can have expired; otherwise it resets the bound first and
   * lowers it again for whatever stays (an install running meanwhile lowers it too).
   */
  void prune(long now) {
    if (now < nextPruneAt.get()) {
      return;
    }
    nextPruneAt.set(Long.MAX_VALUE);
    permissions.values().removeIf(until -> now >= until);
    long next = Long.MAX_VALUE;
    for (long until : permissions.values()) {
      next = Math.min(next, until);
    }
    for (ChannelBinding b : channels.values()) {
      if (now >= b.expiresAt()) {
        removeChannel(b);
      } else {
        next = Math.min(next, b.expiresAt());
      }
    }
    nextPruneAt.accumulateAndGet(next, Math::min);
  }
}
