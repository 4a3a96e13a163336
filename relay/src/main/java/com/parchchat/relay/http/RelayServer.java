package com.parchchat.relay.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the relay's one TCP port (HTTP API, metrics, both WebSockets), optionally with TLS. */
public final class RelayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

  /** Native epoll on Linux when its library loads (the relay's normal case), NIO otherwise. */
  private static final boolean EPOLL = Epoll.isAvailable();

  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, ioHandler());
  private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioHandler());
  private final Channel serverChannel;

  public RelayServer(RelayServices services) throws InterruptedException {
    var config = services.config();
    SslContext ssl = null;
    if (config.tls().enabled()) {
      try {
        ssl = SslContextBuilder.forServer(config.tls().certificate().toFile(), config.tls().privateKey().toFile()).build();
      } catch (SSLException | IllegalArgumentException e) {
        shutdownGroups();
        throw new IllegalArgumentException("config keys 'tls.*': cannot load the PEM certificate/key: " + e.getMessage(), e);
      }
    }
    boolean tls = ssl != null;
    var limits = config.limits();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(limits.writeBufferLowBytes(), limits.writeBufferHighBytes()))
            .childHandler(new RelayInitializer(services, ssl));
    try {
      this.serverChannel = b.bind(config.bind(), config.port()).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      shutdownGroups();
      throw e;
    }
    log.info("relay listening on {}://{}:{} ({} transport)", tls ? "https" : "http", config.bind(), port(),
        EPOLL ? "epoll" : "nio");
  }

  private static IoHandlerFactory ioHandler() {
    return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Stops accepting new connections; existing ones keep running. */
  public void stopAccepting() {
    serverChannel.close().syncUninterruptibly();
  }

  @Override
  public void close() {
    stopAccepting();
    shutdownGroups();
  }

  private void shutdownGroups() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.terminationFuture().syncUninterruptibly();
  }
}
