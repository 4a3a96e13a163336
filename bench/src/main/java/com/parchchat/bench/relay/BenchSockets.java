package com.parchchat.bench.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Lightweight WebSocket client connections for load: one shared event loop group, a callback per
 * text frame (on the connection's event loop), optional local source address so that more than
 * one ephemeral port range can be used (127.0.0.x).
 */
final class BenchSockets implements AutoCloseable {
  /** Receives each text frame (as its UTF-8 bytes, valid during the call) and the handshake completion. */
  interface Listener {
    void onOpen(Channel ch);

    void onText(Channel ch, ByteBuf utf8);
  }

  private final EventLoopGroup group;

  BenchSockets(int threads) {
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  Channel connect(URI uri, String localAddress, Listener listener) throws InterruptedException {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(
                            new WebSocketClientProtocolHandler(
                                WebSocketClientHandshakerFactory.newHandshaker(
                                    uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20)))
                        .addLast(
                            new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                              @Override
                              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                  listener.onOpen(ctx.channel());
                                }
                                super.userEventTriggered(ctx, evt);
                              }

                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                listener.onText(ctx.channel(), frame.content());
                              }
                            });
                  }
                });
    InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
    return (localAddress == null ? b.connect(remote) : b.connect(remote, new InetSocketAddress(localAddress, 0)))
        .sync()
        .channel();
  }

  static void send(Channel ch, String text) {
    ch.writeAndFlush(new TextWebSocketFrame(text));
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
