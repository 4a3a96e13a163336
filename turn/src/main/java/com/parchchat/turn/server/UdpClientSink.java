package com.parchchat.turn.server;

import com.parchchat.turn.allocation.ClientSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** A client reached through the UDP listener socket. */
final class UdpClientSink implements ClientSink {
  private final Channel listener;
  private final InetSocketAddress client;

  UdpClientSink(Channel listener, InetSocketAddress client) {
    this.listener = listener;
    this.client = client;
  }

  @Override
  public void send(ByteBuf buf) {
    listener.writeAndFlush(new DatagramPacket(buf, client), listener.voidPromise());
  }

  @Override
  public boolean isStream() {
    return false;
  }

  @Override
  public EventLoop eventLoop() {
    return listener.eventLoop();
  }
}
