package com.parchchat.turn.server;

import com.parchchat.turn.config.TurnConfig;
import com.parchchat.turn.metrics.AdminServer;
import com.parchchat.turn.metrics.TurnMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the TURN listeners (UDP and TCP on the same port), the sweeper and the admin
 * listener; {@link #close()} shuts down gracefully: stop listening, delete allocations,
 * drain the event loops. Uses native epoll when available (one SO_REUSEPORT UDP socket per
 * event loop, so each client's 5-tuple stays on one thread), NIO otherwise.
 */
public final class TurnServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TurnServer.class);
  /**
   * Largest datagram read from a client (longer ones are truncated and then dropped as
   * malformed): Netty's default datagram receive buffer, well above a media packet.
   */
  static final int MAX_DATAGRAM = 2048;
  /**
   * Datagrams read from the listener by one {@code recvmmsg} call. 8 × 2048 = 16 KiB is the
   * largest size class of Netty's adaptive allocator; 16 (32 KiB buffers) made it allocate and
   * zero fresh direct memory in steady state (seen in perf as {@code Unsafe.setMemory}).
   */
  static final int LISTENER_BATCH = 8;
  /** Datagrams read from the listener per wake-up at most (in full batches). */
  static final int LISTENER_MAX_READ = 64;
  /**
   * With the native data path, the UDP listeners are read natively too ({@link NativeListenerReader});
   * {@code -Dparch.turn.nativeListeners=false} keeps them on Netty (relay sockets stay native), for A/B runs.
   */
  static final boolean NATIVE_LISTENERS = !"false".equals(System.getProperty("parch.turn.nativeListeners"));
  /** Attempts to find a port free for both UDP and TCP when configured as 0. */
  private static final int BIND_ATTEMPTS = 10;

  private final TurnConfig config;
  private final TurnMetrics metrics = new TurnMetrics();
  private final TurnService service;
  private final EventLoopGroup group;
  private final boolean epoll;
  private final boolean nativePath;
  private final List<Channel> listeners = new ArrayList<>();
  private final ScheduledFuture<?> sweeper;
  private final AdminServer admin;
  private final int port;

  public TurnServer(TurnConfig config) throws InterruptedException {
    this(config, Clock.systemUTC());
  }

  /** With an injectable clock, so tests can expire nonces, permissions and allocations. */
  public TurnServer(TurnConfig config, Clock clock) throws InterruptedException {
    this.config = config;
    this.epoll = Epoll.isAvailable();
    this.nativePath = DataPathSupport.useNative(config.dataPath(), epoll);
    if (!nativePath && config.dataPath() == TurnConfig.DataPath.AUTO) {
      log.info("data path: Netty ({}); the native path needs the JVM flags {}",
          epoll ? DataPathSupport.unavailableReason() : "no epoll", DataPathSupport.JVM_FLAGS);
    }
    int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
    this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Class<? extends DatagramChannel> udpClass = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    Class<? extends ServerChannel> tcpClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.service = new TurnService(config, clock, metrics, udpClass);
    boolean started = false;
    try {
      // Port 0 lets the OS pick the UDP port; the TCP listener then needs the same number, which
      // another process may hold: try again with another pick (a fixed port is tried once).
      int boundPort = -1;
      for (int attempt = 1; boundPort < 0; attempt++) {
        try {
          boundPort = bindListeners(threads, udpClass, tcpClass);
        } catch (Exception e) {
          listeners.forEach(ch -> ch.close().awaitUninterruptibly());
          listeners.clear();
          if (config.listeningPort() != 0 || attempt >= BIND_ATTEMPTS) {
            throw e;
          }
          log.debug("listeners on port 0, attempt {}: {}", attempt, e.toString());
        }
      }
      this.port = boundPort;
      this.sweeper = group.next().scheduleAtFixedRate(service::sweep, 1, 1, TimeUnit.SECONDS);
      this.admin = config.adminPort() < 0 ? null
          : new AdminServer(group, tcpClass, new InetSocketAddress(config.adminIp(), config.adminPort()), metrics);
      started = true;
    } finally {
      if (!started) {
        listeners.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    }
    log.info("TURN listening on {}:{} (udp={}, tcp={}, {}, data path {}), relay {} ports {}-{}, admin {}",
        config.listeningIp(), port, config.udp(), config.tcp(), epoll ? "epoll" : "nio", nativePath ? "native" : "netty",
        config.advertisedRelayIp(), config.minPort(),
        config.maxPort(), admin == null ? "off" : config.adminIp() + ":" + admin.port());
  }

  /** Binds the UDP listener socket(s) and the TCP listener on one port; returns the port. */
  private int bindListeners(int threads, Class<? extends DatagramChannel> udpClass,
      Class<? extends ServerChannel> tcpClass) throws InterruptedException {
    int boundPort = config.listeningPort();
    if (config.udp()) {
      int sockets = epoll ? threads : 1;
      for (int i = 0; i < sockets; i++) {
        Bootstrap b = new Bootstrap()
            .group(group)
            .channel(udpClass)
            .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
            .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
            .handler(new TurnUdpHandler(service, nativePath));
        if (epoll) {
          // recvmmsg: one system call (and one buffer) reads up to LISTENER_BATCH datagrams; more
          // calls only while batches come back full (up to LISTENER_MAX_READ datagrams per wake-up:
          // the listener carries every client's traffic), level-triggered, so a quiet wake-up
          // costs no extra read that only returns EAGAIN
          b.option(EpollChannelOption.SO_REUSEPORT, true)
              .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
              .option(ChannelOption.RCVBUF_ALLOCATOR,
                  new BatchRecvByteBufAllocator(MAX_DATAGRAM * LISTENER_BATCH, LISTENER_MAX_READ))
              .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        boolean nativeListener = nativePath && NATIVE_LISTENERS;
        if (nativeListener) {
          b.option(ChannelOption.AUTO_READ, false); // NativeListenerReader reads it
        }
        Channel ch = b.bind(config.listeningIp(), boundPort).sync().channel();
        listeners.add(ch);
        if (nativeListener && !ch.eventLoop().submit(
            () -> NativeListenerReader.attach(service, (EpollDatagramChannel) ch)).sync().getNow()) {
          log.info("UDP listener {}: Netty reads it (native attach refused)", ch.localAddress());
          ch.config().setAutoRead(true);
        }
        boundPort = ((InetSocketAddress) ch.localAddress()).getPort();
      }
    }
    if (config.tcp()) {
      Channel ch = new ServerBootstrap()
          .group(group)
          .channel(tcpClass)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new TurnTcpInitializer(service))
          .bind(config.listeningIp(), boundPort)
          .sync()
          .channel();
      listeners.add(ch);
      boundPort = ((InetSocketAddress) ch.localAddress()).getPort();
    }
    return boundPort;
  }

  /** The STUN/TURN port (UDP and TCP), useful when configured as 0. */
  public int port() {
    return port;
  }

  /** The admin (metrics) port, or -1 when off. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** Whether relayed datagrams take the native path ({@code data-path}). */
  public boolean nativeDataPath() {
    return nativePath;
  }

  public TurnMetrics metrics() {
    return metrics;
  }

  public TurnService service() {
    return service;
  }

  public TurnConfig config() {
    return config;
  }

  @Override
  public void close() {
    log.info("TURN shutting down: {} allocations", service.allocations().count());
    sweeper.cancel(false);
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
    service.closeAll();
    if (admin != null) {
      admin.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
