package com.parchchat.turn.allocation;

import java.net.InetSocketAddress;

/**
 * The client-side 5-tuple that identifies an allocation (RFC 8656 §2): client address and
 * port, server address and port, and the transport between them.
 */
public record FiveTuple(InetSocketAddress client, InetSocketAddress server, Transport transport) {
  /** Transport between client and server. */
  public enum Transport {
    UDP,
    TCP
  }
}
