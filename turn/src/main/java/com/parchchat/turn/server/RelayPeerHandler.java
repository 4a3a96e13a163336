package com.parchchat.turn.server;

import com.parchchat.turn.allocation.Allocation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Datagrams arriving from peers at one allocation's relayed transport address. */
final class RelayPeerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(RelayPeerHandler.class);

  private final TurnService service;
  private final Allocation allocation;

  RelayPeerHandler(TurnService service, Allocation allocation) {
    this.service = service;
    this.allocation = allocation;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    service.onPeerDatagram(allocation, packet);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP unreachable from a peer, or a write after close: the allocation lives on
    log.debug("relay socket {}: {}", allocation.relayedAddress(), cause.toString());
  }
}
