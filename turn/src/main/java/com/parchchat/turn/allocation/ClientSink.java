package com.parchchat.turn.allocation;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * How the server reaches a client over its 5-tuple: a UDP listener plus the client's
 * address, or the client's TCP connection. Stream sinks need ChannelData padded to 4
 * bytes (RFC 8656 §12.5).
 */
public interface ClientSink {
  /** Sends a STUN response or indication; takes ownership of {@code buf}. */
  void send(ByteBuf buf);

  /**
   * Sends relayed application data; takes ownership of {@code buf}. A stream sink may drop
   * it when the connection is backed up: media is loss-tolerant, memory is not.
   */
  default void sendData(ByteBuf buf) {
    send(buf);
  }

  boolean isStream();

  /** The loop that owns this client's I/O; the relay socket is registered on it too. */
  EventLoop eventLoop();
}
