package com.parchchat.turn.server;

import com.parchchat.turn.allocation.FiveTuple;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One TURN-over-TCP client connection; frames come from {@code StunFrameDecoder}. */
final class TurnTcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private static final Logger log = LoggerFactory.getLogger(TurnTcpHandler.class);

  private final TurnService service;
  private FiveTuple fiveTuple;
  private TcpClientSink sink;

  TurnTcpHandler(TurnService service) {
    this.service = service;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    fiveTuple = new FiveTuple((InetSocketAddress) ctx.channel().remoteAddress(),
        (InetSocketAddress) ctx.channel().localAddress(), FiveTuple.Transport.TCP);
    sink = new TcpClientSink(ctx.channel());
    super.channelActive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    service.onClientFrame(sink, fiveTuple, frame);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (fiveTuple != null) {
      service.clientDisconnected(fiveTuple);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("TCP client {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
