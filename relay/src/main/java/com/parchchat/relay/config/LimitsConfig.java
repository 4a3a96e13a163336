package com.parchchat.relay.config;

/**
 * Every limit the relay enforces. Defaults live in {@code relay-defaults.yaml}.
 *
 * @param maxFrameBytes largest WebSocket text message accepted; larger ones get {@code too_large}
 * @param hardMaxFrameBytes beyond this a client connection is closed (1009) without reading further
 * @param maxHostFrameBytes largest frame a host may send (replies with history pages are big)
 * @param maxHttpBodyBytes largest HTTP request body
 * @param messagesPerSecond sustained frames per second per WebSocket connection
 * @param messageBurst frames a connection may send at once before rate limiting starts
 * @param floodDisconnectAfter rate-limited frames after which the connection is closed as abusive
 * @param maxPendingRequestsPerSession unanswered requests one client connection may have
 * @param maxSubscriptionsPerSession topics one client connection may be subscribed to per host
 * @param maxAttachedHostsPerSession hosts one client connection may attach to
 * @param requestTimeoutMillis a request the host has not answered by then gets {@code unavailable}
 * @param registerPerIpPerHour account registrations per client IP per hour
 * @param hostRegisterPerIpPerHour host registrations per client IP per hour
 * @param loginPerIpPerMinute login attempts per client IP per minute
 * @param loginFailuresPerAccount failed logins per account per 15 minutes before it is throttled
 * @param resetPerIpPerHour password-reset requests per client IP per hour
 * @param maxSessionsPerUser login sessions per user; the oldest is revoked beyond it
 * @param idleTimeoutSeconds a WebSocket that sends nothing (not even pong) for this long is closed
 * @param pingIntervalSeconds the relay pings a quiet WebSocket this often
 * @param writeBufferLowBytes Netty write-buffer low water mark per connection
 * @param writeBufferHighBytes Netty write-buffer high water mark; a peer above it for longer than
 *     {@code slowConsumerGraceMillis} is a slow consumer
 * @param maxQueuedBytes a peer whose unsent bytes would exceed this is a slow consumer at once
 * @param slowConsumerGraceMillis how long a peer may stay above the high water mark
 * @param hostAuthTimeoutSeconds a host must authenticate within this time
 * @param shutdownDrainSeconds graceful shutdown waits at most this long for connections to drain
 * @param httpReadTimeoutSeconds a connection that has not yet upgraded to WebSocket (a plain HTTP
 *     or keep-alive connection, or a stalled partial request: slowloris) is closed after this long
 *     without reading anything
 * @param trustedProxies reverse proxies whose {@code X-Forwarded-For} counts for per-IP limits
 *     (see {@link TrustedProxies}); empty: the header is ignored
 */
public record LimitsConfig(
    int maxFrameBytes,
    int hardMaxFrameBytes,
    int maxHostFrameBytes,
    int maxHttpBodyBytes,
    int messagesPerSecond,
    int messageBurst,
    int floodDisconnectAfter,
    int maxPendingRequestsPerSession,
    int maxSubscriptionsPerSession,
    int maxAttachedHostsPerSession,
    long requestTimeoutMillis,
    int registerPerIpPerHour,
    int hostRegisterPerIpPerHour,
    int loginPerIpPerMinute,
    int loginFailuresPerAccount,
    int resetPerIpPerHour,
    int maxSessionsPerUser,
    int idleTimeoutSeconds,
    int pingIntervalSeconds,
    int writeBufferLowBytes,
    int writeBufferHighBytes,
    int maxQueuedBytes,
    int slowConsumerGraceMillis,
    int hostAuthTimeoutSeconds,
    int shutdownDrainSeconds,
    int httpReadTimeoutSeconds,
    TrustedProxies trustedProxies) {

  public LimitsConfig {
    Check.range("limits.maxFrameBytes", maxFrameBytes, 1024, 16 << 20);
    Check.range("limits.hardMaxFrameBytes", hardMaxFrameBytes, maxFrameBytes, 64 << 20);
    Check.range("limits.maxHostFrameBytes", maxHostFrameBytes, maxFrameBytes, 64 << 20);
    Check.range("limits.maxHttpBodyBytes", maxHttpBodyBytes, 1024, 16 << 20);
    Check.range("limits.messagesPerSecond", messagesPerSecond, 1, 1_000_000);
    Check.range("limits.messageBurst", messageBurst, 1, 1_000_000);
    Check.range("limits.floodDisconnectAfter", floodDisconnectAfter, 1, 1_000_000);
    Check.range("limits.maxPendingRequestsPerSession", maxPendingRequestsPerSession, 1, 100_000);
    Check.range("limits.maxSubscriptionsPerSession", maxSubscriptionsPerSession, 1, 100_000);
    Check.range("limits.maxAttachedHostsPerSession", maxAttachedHostsPerSession, 1, 10_000);
    Check.range("limits.requestTimeoutMillis", requestTimeoutMillis, 10, 600_000);
    Check.range("limits.registerPerIpPerHour", registerPerIpPerHour, 1, 1_000_000);
    Check.range("limits.hostRegisterPerIpPerHour", hostRegisterPerIpPerHour, 1, 1_000_000);
    Check.range("limits.loginPerIpPerMinute", loginPerIpPerMinute, 1, 1_000_000);
    Check.range("limits.loginFailuresPerAccount", loginFailuresPerAccount, 1, 1_000_000);
    Check.range("limits.resetPerIpPerHour", resetPerIpPerHour, 1, 1_000_000);
    Check.range("limits.maxSessionsPerUser", maxSessionsPerUser, 1, 10_000);
    Check.range("limits.idleTimeoutSeconds", idleTimeoutSeconds, 2, 86_400);
    Check.range("limits.pingIntervalSeconds", pingIntervalSeconds, 1, idleTimeoutSeconds - 1L);
    Check.range("limits.writeBufferLowBytes", writeBufferLowBytes, 1024, 1 << 30);
    Check.range("limits.writeBufferHighBytes", writeBufferHighBytes, writeBufferLowBytes + 1L, 1 << 30);
    Check.range("limits.maxQueuedBytes", maxQueuedBytes, writeBufferHighBytes, 1 << 30);
    Check.range("limits.slowConsumerGraceMillis", slowConsumerGraceMillis, 0, 600_000);
    Check.range("limits.hostAuthTimeoutSeconds", hostAuthTimeoutSeconds, 1, 600);
    Check.range("limits.shutdownDrainSeconds", shutdownDrainSeconds, 0, 600);
    Check.range("limits.httpReadTimeoutSeconds", httpReadTimeoutSeconds, 1, 3_600);
    if (trustedProxies == null) {
      trustedProxies = TrustedProxies.NONE;
    }
  }

  /** The protocol codec's limits with this relay's frame sizes. */
  public com.parchchat.protocol.signal.Limits protocolLimits() {
    com.parchchat.protocol.signal.Limits d = com.parchchat.protocol.signal.Limits.DEFAULTS;
    return new com.parchchat.protocol.signal.Limits(
        maxFrameBytes,
        maxHostFrameBytes,
        d.maxContentChars(),
        d.maxHistoryPage(),
        d.maxSearchResults(),
        d.maxMembersPage(),
        d.maxTopicsPerSubscribe(),
        d.maxNameChars(),
        d.maxIdChars(),
        d.maxEmojiChars());
  }
}
