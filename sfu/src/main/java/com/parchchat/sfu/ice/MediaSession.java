package com.parchchat.sfu.ice;

import java.net.InetSocketAddress;

/**
 * What the media socket needs from one participant's session: its ICE agent for STUN, and sinks for
 * the DTLS, RTP and RTCP datagrams that arrive from addresses the agent validated. All calls are on
 * the media thread. The RTP and RTCP arrays are the socket's reused read buffer: valid only during
 * the call (copy what must outlive it).
 */
public interface MediaSession {
  IceLiteAgent ice();

  void onDtls(byte[] datagram);

  void onRtp(byte[] datagram, int length);

  void onRtcp(byte[] datagram, int length);

  /** The ICE agent accepted a check from {@code address}; it may now carry this session's media. */
  default void onValidAddress(InetSocketAddress address) {}
}
