package com.parchchat.sfu.signal;

import com.parchchat.protocol.signal.Limits;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.sfu.room.RoomManager;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The SFU's TCP listener: WebSocket signalling on {@link #WS_PATH} and the admin HTTP API. */
public final class SignalServer implements AutoCloseable {
  public static final String WS_PATH = "/ws";

  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private Channel channel;

  public InetSocketAddress start(String host, int port, TokenVerifier tokens, RoomManager rooms, String adminSecret,
      int maxFrameBytes) throws InterruptedException {
    Limits d = Limits.DEFAULTS;
    Limits limits = new Limits(maxFrameBytes, Math.max(maxFrameBytes, d.maxHostFrameBytes()), d.maxContentChars(),
        d.maxHistoryPage(), d.maxSearchResults(), d.maxMembersPage(), d.maxTopicsPerSubscribe(), d.maxNameChars(),
        d.maxIdChars(), d.maxEmojiChars());
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new SignalServerInitializer(new SignalCodec(limits), tokens, rooms, adminSecret, maxFrameBytes));
    channel = b.bind(host, port).sync().channel();
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
