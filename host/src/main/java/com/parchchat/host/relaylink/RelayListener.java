package com.parchchat.host.relaylink;

import com.parchchat.protocol.signal.RelayToHost;

/** What the relay link reports to the host's chat logic. Called on a Netty event loop: never block. */
public interface RelayListener {
  /** The relay accepted the host's signature; frames can flow. */
  void onReady(String hostId);

  /** A frame other than the authentication handshake. */
  void onFrame(RelayToHost frame);

  /** The connection dropped; every session the relay had open for this host is gone. */
  void onDisconnected();
}
