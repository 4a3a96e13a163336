package com.parchchat.sfu.room;

import com.parchchat.protocol.sfu.SfuToClient;

/** The signalling side of a participant: where its frames go. Implementations are thread-safe. */
public interface SignalSink {
  void send(SfuToClient frame);

  /** Flushes what was sent and closes the connection. */
  void close();
}
