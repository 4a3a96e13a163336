package com.parchchat.turn.server;

import com.parchchat.turn.proto.StunFrameDecoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Pipeline of a TCP client connection: idle timeout → stream framing → TURN handler. */
final class TurnTcpInitializer extends ChannelInitializer<SocketChannel> {
  /** A TURN frame is at most a 64 KiB STUN body plus header. */
  static final int MAX_FRAME = 65_535 + 20;
  /** Connections with no allocation traffic for this long are closed. */
  static final int IDLE_SECONDS = 3600;

  private final TurnService service;

  TurnTcpInitializer(TurnService service) {
    this.service = service;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
        .addLast(new StunFrameDecoder(MAX_FRAME))
        .addLast(new TurnTcpHandler(service));
  }
}
