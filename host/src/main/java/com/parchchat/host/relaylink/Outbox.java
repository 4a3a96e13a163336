package com.parchchat.host.relaylink;

import com.parchchat.protocol.signal.HostToRelay;

/** Where the chat logic sends its frames to the relay; thread-safe, never blocks. */
@FunctionalInterface
public interface Outbox {
  void send(HostToRelay frame);
}
