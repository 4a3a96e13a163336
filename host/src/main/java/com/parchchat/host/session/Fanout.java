package com.parchchat.host.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parchchat.host.relaylink.Outbox;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.Space;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.SignalCodec;
import java.time.Instant;
import java.util.List;

/** Typed helpers to send events and subscription changes through the relay. */
public final class Fanout {
  private final Outbox outbox;
  private final SignalCodec codec;
  private final Sessions sessions;
  private final boolean timestamps;

  public Fanout(Outbox outbox, SignalCodec codec, Sessions sessions) {
    this(outbox, codec, sessions, false);
  }

  /**
   * @param timestamps add {@code publishedAtMicros} (wall clock, microseconds since the epoch) to
   *     every published event body (an additive field every decoder ignores), for latency measurement
   */
  public Fanout(Outbox outbox, SignalCodec codec, Sessions sessions, boolean timestamps) {
    this.outbox = outbox;
    this.codec = codec;
    this.sessions = sessions;
    this.timestamps = timestamps;
  }

  /** One event to every session subscribed to the space; the relay does the fan-out. */
  public void publish(String spaceId, HostEvent event) {
    JsonNode body = codec.toBody(event);
    if (timestamps && body instanceof ObjectNode) {
      Instant now = Instant.now();
      ((ObjectNode) body).put("publishedAtMicros", now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
    }
    outbox.send(new HostToRelay.Publish(Space.topic(spaceId), body));
  }

  public void send(String session, HostEvent event) {
    outbox.send(new HostToRelay.Send(session, codec.toBody(event)));
  }

  /** To every session of a user, attached to this host or not. */
  public void notify(String userId, HostEvent event) {
    outbox.send(new HostToRelay.Notify(userId, codec.toBody(event)));
  }

  public void subscribe(String session, List<String> spaceIds) {
    if (!spaceIds.isEmpty()) {
      outbox.send(new HostToRelay.Subscribe(session, spaceIds.stream().map(Space::topic).toList()));
    }
  }

  /** Subscribes every attached session of a user to a space (they just joined it). */
  public void subscribeUser(String userId, String spaceId) {
    for (String s : sessions.sessionsOf(userId)) {
      subscribe(s, List.of(spaceId));
    }
  }

  /** Unsubscribes every attached session of a user from a space, at once. */
  public void unsubscribeUser(String userId, String spaceId) {
    for (String s : sessions.sessionsOf(userId)) {
      outbox.send(new HostToRelay.Unsubscribe(s, List.of(Space.topic(spaceId))));
    }
  }

  /** Sends an event to every attached session of a user (e.g. {@code kicked}). */
  public void sendUser(String userId, HostEvent event) {
    for (String s : sessions.sessionsOf(userId)) {
      send(s, event);
    }
  }

  public void raw(HostToRelay frame) {
    outbox.send(frame);
  }
}
