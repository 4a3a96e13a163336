package com.parchchat.turn.server;

import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.turn.allocation.Allocation;
import com.parchchat.turn.allocation.ClientSink;
import com.parchchat.turn.allocation.FiveTuple;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The UDP listener: every datagram is one STUN message or one ChannelData message. */
final class TurnUdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(TurnUdpHandler.class);

  private final TurnService service;
  private InetSocketAddress local;
  private UdpClientSink.Flusher flusher;
  private final boolean nativePath;
  private NativeClientBatch nativeBatch;

  /** {@code nativePath}: relay sockets of this listener's UDP clients are read natively ({@link NativeRelayReader}). */
  TurnUdpHandler(TurnService service, boolean nativePath) {
    this.service = service;
    this.nativePath = nativePath;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    if (local == null) {
      local = (InetSocketAddress) ctx.channel().localAddress();
      flusher = new UdpClientSink.Flusher(ctx.channel());
      if (nativePath && ctx.channel() instanceof EpollDatagramChannel) {
        nativeBatch = new NativeClientBatch((EpollDatagramChannel) ctx.channel(), service.metrics());
      }
    }
    ByteBuf content = packet.content();
    FiveTuple ft = new FiveTuple(packet.sender(), local, FiveTuple.Transport.UDP);
    Allocation a = service.allocations().get(ft);
    if (a != null && content.readableBytes() >= ChannelData.HEADER_LENGTH && TurnService.isChannelData(content)) {
      service.onChannelData(a, content); // the data path: one allocation lookup per datagram
      return;
    }
    ClientSink sink = a != null ? a.client() : new UdpClientSink(ctx.channel(), packet.sender(), flusher, nativeBatch);
    service.onClientFrame(sink, ft, content);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("UDP listener: {}", cause.toString());
  }
}
