package com.parchchat.client.voice;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuToClient;
import java.util.function.Consumer;

/**
 * The signalling connection to one SFU room. {@link WebSocketSfuLink} is the real one; the engine
 * only needs these three operations, which keeps the call logic independent of the transport.
 */
public interface SfuLink extends AutoCloseable {

  /**
   * Starts delivering frames: {@code onFrame} for every decoded frame, {@code onClosed} once when the
   * connection ends for whatever reason (with a human detail). Called once, before any send.
   */
  void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed);

  /** Sends one frame (in order; never blocks on the network). */
  void send(ClientToSfu frame);

  /** Closes the connection; idempotent. */
  @Override
  void close();
}
