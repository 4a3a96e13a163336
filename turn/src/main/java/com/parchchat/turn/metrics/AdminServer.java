package com.parchchat.turn.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/** The admin HTTP listener ({@code GET /metrics}, {@code GET /health}) on its own port. */
public final class AdminServer implements AutoCloseable {
  private final Channel channel;

  public AdminServer(EventLoopGroup group, Class<? extends ServerChannel> channelClass, InetSocketAddress bind,
      TurnMetrics metrics) throws InterruptedException {
    this.channel = new ServerBootstrap()
        .group(group)
        .channel(channelClass)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(4096))
                .addLast(new AdminHandler(metrics));
          }
        })
        .bind(bind)
        .sync()
        .channel();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
  }
}
