package com.parchchat.host.relaylink;

import com.parchchat.host.auth.HostIdentity;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.internal.PlatformDependent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's one outbound WebSocket to the relay's {@code /ws/host}. Connects, proves the host
 * key (challenge-response), then carries frames both ways. When the connection fails or drops
 * it reconnects forever, waiting {@link Backoff} delays (exponential, full jitter).
 *
 * <p>{@link #send} is thread-safe and never blocks; frames sent while the link is down are
 * dropped (the caller's request died with the relay's session anyway). Frames are encoded on the
 * sending thread and queued; one task on the link's event loop writes everything queued since it
 * last ran and flushes once, so an event and the reply sent right after it (a message send) cost
 * one wakeup and one socket write, not two. Native epoll on Linux, NIO elsewhere.
 */
public final class RelayLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayLink.class);

  /** Link state as shown in logs and the status window. */
  public enum State { CONNECTING, ONLINE, OFFLINE, CLOSED }

  private final URI uri;
  private final String hostId;
  private final SignalCodec codec;
  private final RelayListener listener;
  private final Backoff backoff;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private volatile Channel readyChannel;
  private volatile Writer writer;
  private volatile State state = State.OFFLINE;
  private volatile boolean closed;

  public RelayLink(URI uri, String hostId, HostIdentity identity, SignalCodec codec, Backoff backoff,
      RelayListener listener) {
    this.uri = uri;
    this.hostId = hostId;
    this.codec = codec;
    this.listener = listener;
    this.backoff = backoff;
    boolean epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    SslContext ssl = null;
    if ("wss".equals(uri.getScheme())) {
      try {
        ssl = SslContextBuilder.forClient().build();
      } catch (SSLException e) {
        throw new IllegalStateException("cannot set up TLS for " + uri, e);
      }
    }
    RelayLinkHandler handler = new RelayLinkHandler(this, hostId, identity, codec);
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new RelayLinkInitializer(uri, ssl, codec.limits().maxHostFrameBytes(), handler));
  }

  /** Starts connecting in the background; returns at once. */
  public void start() {
    connect();
  }

  public State state() {
    return state;
  }

  public URI uri() {
    return uri;
  }

  private void connect() {
    if (closed) {
      return;
    }
    state = State.CONNECTING;
    ChannelFuture f = bootstrap.connect(uri.getHost(), RelayLinkInitializer.port(uri));
    f.addListener((ChannelFuture done) -> {
      if (!done.isSuccess()) {
        log.info("cannot reach the relay at {}: {}", uri, String.valueOf(done.cause()));
        scheduleReconnect();
        return;
      }
      done.channel().closeFuture().addListener(c -> onClosed(done.channel()));
    });
  }

  private void onClosed(Channel ch) {
    boolean wasReady = readyChannel == ch;
    if (wasReady) {
      readyChannel = null;
      writer = null;
      log.warn("lost the relay connection");
      listener.onDisconnected();
    }
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    state = State.OFFLINE;
    long delay = backoff.nextDelayMillis();
    log.debug("reconnecting to the relay in {} ms", delay);
    try {
      group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      log.debug("not reconnecting: shutting down");
    }
  }

  void ready(Channel ch, String confirmedId) {
    if (!hostId.equals(confirmedId)) {
      log.warn("relay confirmed host id {} but this host is {}", confirmedId, hostId);
    }
    backoff.reset();
    writer = new Writer(ch);
    readyChannel = ch;
    state = State.ONLINE;
    log.info("online at relay {} as host {}", uri, hostId);
    listener.onReady(hostId);
  }

  boolean isReady(Channel ch) {
    return readyChannel == ch;
  }

  void deliver(RelayToHost frame) {
    listener.onFrame(frame);
  }

  /** Sends a frame if the link is up; returns whether it was handed to the socket. */
  public boolean send(HostToRelay frame) {
    Writer w = writer;
    if (w == null || !w.channel.isActive()) {
      log.debug("relay offline, dropping {}", frame.getClass().getSimpleName());
      return false;
    }
    w.send(new TextWebSocketFrame(Unpooled.wrappedBuffer(codec.encodeUtf8(frame))));
    return true;
  }

  /**
   * The outbound queue of one connection: any thread adds, one task on the event loop writes all
   * that is queued and flushes once. At most one task is pending at a time.
   */
  private static final class Writer implements Runnable {
    private final Channel channel;
    private final Queue<WebSocketFrame> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Writer(Channel channel) {
      this.channel = channel;
    }

    void send(WebSocketFrame frame) {
      queue.add(frame);
      if (scheduled.compareAndSet(false, true)) {
        try {
          channel.eventLoop().execute(this);
        } catch (RejectedExecutionException shuttingDown) {
          releaseAll();
        }
      }
    }

    @Override
    public void run() {
      // cleared before draining: a frame added after this point schedules another run
      scheduled.set(false);
      boolean wrote = false;
      WebSocketFrame f;
      while ((f = queue.poll()) != null) {
        channel.write(f); // on a closed channel the write fails and releases the frame
        wrote = true;
      }
      if (wrote) {
        channel.flush();
      }
    }

    private void releaseAll() {
      WebSocketFrame f;
      while ((f = queue.poll()) != null) {
        f.release();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    state = State.CLOSED;
    Channel ch = readyChannel;
    if (ch != null) {
      ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
