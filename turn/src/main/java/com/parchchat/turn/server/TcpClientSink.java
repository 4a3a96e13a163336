package com.parchchat.turn.server;

import com.parchchat.turn.allocation.ClientSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/** A client on its own TCP connection; writes are dropped once the connection is not writable
 * so a slow reader cannot make the server buffer without bound (UDP semantics for media). */
final class TcpClientSink implements ClientSink {
  private final Channel channel;

  TcpClientSink(Channel channel) {
    this.channel = channel;
  }

  @Override
  public void send(ByteBuf buf) {
    channel.writeAndFlush(buf, channel.voidPromise());
  }

  @Override
  public void sendData(ByteBuf buf) {
    if (channel.isWritable()) {
      channel.writeAndFlush(buf, channel.voidPromise());
    } else {
      buf.release();
    }
  }

  @Override
  public boolean isStream() {
    return true;
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }
}
