package com.parchchat.host.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.parchchat.protocol.signal.Limits;
import java.net.URI;
import java.util.Objects;

/**
 * Settings of one host, as kept in {@code host.yaml} in the data directory (see
 * {@code host/host.sample.yaml}). Every key except {@code relay} and {@code name} is optional.
 *
 * @param relay             relay base URL, {@code http://} or {@code https://}; the WebSocket is
 *                          {@code ws(s)://<same authority>/ws/host}
 * @param name              the community's name, shown to users
 * @param hostId            the Host Key the relay assigned at registration; absent before the first run
 * @param readers           read-only database connections
 * @param maxBatch          most writes per group commit
 * @param synchronousFull   fsync every commit (survives power loss) rather than only process crashes
 * @param limits            protocol limits (content length, page sizes, ...)
 * @param messageBurst      messages a user may send at once before the rate limit applies
 * @param messagesPerSecond sustained per-user message rate
 * @param voiceCapacity     most participants in one voice channel
 * @param reconnectMinMillis first reconnect delay ceiling
 * @param reconnectMaxMillis largest reconnect delay ceiling
 * @param workers           threads that run chat operations
 * @param publishTimestamps add {@code publishedAtMicros} (wall clock, microseconds since the epoch)
 *     to every published event, for measuring delivery latency; off by default
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostConfig(
    URI relay,
    String name,
    String hostId,
    int readers,
    int maxBatch,
    boolean synchronousFull,
    Limits limits,
    int messageBurst,
    double messagesPerSecond,
    int voiceCapacity,
    long reconnectMinMillis,
    long reconnectMaxMillis,
    int workers,
    boolean publishTimestamps) {

  public static final URI DEFAULT_RELAY = URI.create("http://127.0.0.1:7800");

  public HostConfig {
    Objects.requireNonNull(relay, "relay");
    String scheme = relay.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || relay.getHost() == null) {
      throw new IllegalArgumentException("relay must be an http:// or https:// URL with a host, got " + relay);
    }
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new IllegalArgumentException("name must be 1..100 characters");
    }
    check(readers >= 1 && readers <= 64, "readers must be in 1..64");
    check(maxBatch >= 1 && maxBatch <= 100_000, "maxBatch must be in 1..100000");
    Objects.requireNonNull(limits, "limits");
    check(messageBurst >= 1, "messageBurst must be at least 1");
    check(messagesPerSecond > 0, "messagesPerSecond must be positive");
    check(voiceCapacity >= 1 && voiceCapacity <= 10_000, "voiceCapacity must be in 1..10000");
    check(reconnectMinMillis >= 1 && reconnectMaxMillis >= reconnectMinMillis,
        "reconnectMinMillis must be >= 1 and <= reconnectMaxMillis");
    check(workers >= 1 && workers <= 256, "workers must be in 1..256");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Defaults for every optional key. */
  public static HostConfig defaults(URI relay, String name) {
    return of(relay, name, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  @JsonCreator
  public static HostConfig of(
      @JsonProperty("relay") URI relay,
      @JsonProperty("name") String name,
      @JsonProperty("hostId") String hostId,
      @JsonProperty("readers") Integer readers,
      @JsonProperty("maxBatch") Integer maxBatch,
      @JsonProperty("synchronousFull") Boolean synchronousFull,
      @JsonProperty("limits") Limits limits,
      @JsonProperty("messageBurst") Integer messageBurst,
      @JsonProperty("messagesPerSecond") Double messagesPerSecond,
      @JsonProperty("voiceCapacity") Integer voiceCapacity,
      @JsonProperty("reconnectMinMillis") Long reconnectMinMillis,
      @JsonProperty("reconnectMaxMillis") Long reconnectMaxMillis,
      @JsonProperty("workers") Integer workers,
      @JsonProperty("publishTimestamps") Boolean publishTimestamps) {
    return new HostConfig(
        relay == null ? DEFAULT_RELAY : relay,
        name,
        hostId,
        readers == null ? 4 : readers,
        maxBatch == null ? com.parchchat.host.store.StoreConfig.DEFAULT_MAX_BATCH : maxBatch,
        synchronousFull == null || synchronousFull,
        limits == null ? Limits.DEFAULTS : limits,
        messageBurst == null ? 20 : messageBurst,
        messagesPerSecond == null ? 5.0 : messagesPerSecond,
        voiceCapacity == null ? 25 : voiceCapacity,
        reconnectMinMillis == null ? 250L : reconnectMinMillis,
        reconnectMaxMillis == null ? 30_000L : reconnectMaxMillis,
        workers == null ? 4 : workers,
        publishTimestamps != null && publishTimestamps);
  }

  public HostConfig withHostId(String id) {
    return new HostConfig(relay, name, id, readers, maxBatch, synchronousFull, limits, messageBurst,
        messagesPerSecond, voiceCapacity, reconnectMinMillis, reconnectMaxMillis, workers, publishTimestamps);
  }

  public HostConfig withRelay(URI newRelay) {
    return new HostConfig(newRelay, name, hostId, readers, maxBatch, synchronousFull, limits, messageBurst,
        messagesPerSecond, voiceCapacity, reconnectMinMillis, reconnectMaxMillis, workers, publishTimestamps);
  }

  /** The relay's host WebSocket endpoint. */
  public URI webSocketUri() {
    String ws = "https".equals(relay.getScheme()) ? "wss" : "ws";
    int port = relay.getPort();
    return URI.create(ws + "://" + relay.getHost() + (port > 0 ? ":" + port : "") + "/ws/host");
  }
}
