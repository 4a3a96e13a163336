package com.parchchat.bench.host;

import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lean relay client for the chat benchmark: a Netty WebSocket on a shared event loop that
 * speaks the real protocol (hello → welcome, attach → host.status, requests → replies, decoded
 * with the full {@link SignalCodec}) but, for the flood of {@code message.created} events,
 * only looks for two numbers in the frame's bytes: the sender's {@code t=<nanoTime>} in the
 * content and the host's {@code publishedAtMicros}. Everything else is decoded in full.
 */
final class LeanMember {
  /** What a member does with one benchmark message: sender nanoTime, host publish micros (or -1). */
  interface Sink {
    void received(long sentNanos, long publishedMicros, long receivedNanos, long receivedMicros);
  }

  private static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final ByteBuf CONTENT_MARK = mark("\"content\":\"t=");
  private static final ByteBuf PUBLISHED_MARK = mark("\"publishedAtMicros\":");

  private final Map<String, CompletableFuture<HostReply>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> welcome = new CompletableFuture<>();
  private final CompletableFuture<Void> online = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong replies = new AtomicLong();
  private volatile Sink sink;
  private Channel channel;

  private static ByteBuf mark(String s) {
    return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
  }

  /** Opens the WebSocket on {@code group}, says hello with {@code token} and waits for the welcome. */
  static LeanMember connect(EventLoopGroup group, URI ws, String token) throws Exception {
    LeanMember m = new LeanMember();
    CompletableFuture<Void> handshake = new CompletableFuture<>();
    WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(ws).maxFramePayloadLength(1 << 20).handleCloseFrames(true).build();
    Bootstrap b = new Bootstrap().group(group).channel(io.netty.channel.epoll.Epoll.isAvailable()
            ? io.netty.channel.epoll.EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(1 << 20),
                m.new Handler(handshake));
          }
        });
    m.channel = b.connect(ws.getHost(), ws.getPort()).sync().channel();
    handshake.get(30, java.util.concurrent.TimeUnit.SECONDS);
    m.send(new ClientToRelay.Hello(token, null));
    m.welcome.get(30, java.util.concurrent.TimeUnit.SECONDS);
    return m;
  }

  /**
   * One event loop for members: native epoll when available (fewer syscalls and less garbage per
   * read than the JDK selector: the members are the bench's heaviest part), NIO otherwise.
   */
  static EventLoopGroup newLoop() {
    return new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.epoll.Epoll.isAvailable()
        ? io.netty.channel.epoll.EpollIoHandler.newFactory() : io.netty.channel.nio.NioIoHandler.newFactory());
  }

  void sink(Sink s) {
    this.sink = s;
  }

  long replies() {
    return replies.get();
  }

  void send(Object frame) {
    channel.writeAndFlush(new TextWebSocketFrame(CODEC.encode(frame)));
  }

  void attach(String host) throws Exception {
    send(new ClientToRelay.Attach(host, "a"));
    online.get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  CompletableFuture<HostReply> request(String host, HostRequest r) {
    String id = Long.toString(ids.incrementAndGet());
    CompletableFuture<HostReply> f = new CompletableFuture<>();
    pending.put(id, f);
    send(new ClientToRelay.Request(host, id, CODEC.toBody(r)));
    return f;
  }

  /** Sends without keeping a future: only the count of replies is kept (the benchmark's sender). */
  void fire(String host, HostRequest r) {
    send(new ClientToRelay.Request(host, "f" + ids.incrementAndGet(), CODEC.toBody(r)));
  }

  HostReply call(String host, HostRequest r) throws Exception {
    HostReply reply = request(host, r).get(30, java.util.concurrent.TimeUnit.SECONDS);
    if (reply instanceof HostReply.Error) {
      throw new IllegalStateException("host error: " + reply);
    }
    return reply;
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  /** The number after {@code mark} in {@code buf}, or -1. */
  static long numberAfter(ByteBuf buf, ByteBuf mark) {
    int at = io.netty.buffer.ByteBufUtil.indexOf(mark, buf);
    if (at < 0) {
      return -1;
    }
    long v = 0;
    int i = at + mark.readableBytes();
    int end = buf.writerIndex();
    boolean any = false;
    for (; i < end; i++) {
      byte c = buf.getByte(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      any = true;
    }
    return any ? v : -1;
  }

  private final class Handler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final CompletableFuture<Void> handshake;

    Handler(CompletableFuture<Void> handshake) {
      this.handshake = handshake;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        handshake.complete(null);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
      ByteBuf buf = frame.content();
      Sink s = sink;
      if (s != null) {
        long sent = numberAfter(buf, CONTENT_MARK);
        if (sent >= 0) {
          long receivedNanos = System.nanoTime();
          Instant now = Instant.now();
          s.received(sent, numberAfter(buf, PUBLISHED_MARK), receivedNanos,
              now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
          return;
        }
      }
      RelayToClient f = CODEC.decode(frame.text(), RelayToClient.class);
      if (f instanceof RelayToClient.Welcome) {
        welcome.complete(null);
      } else if (f instanceof RelayToClient.HostStatus && ((RelayToClient.HostStatus) f).online()) {
        online.complete(null);
      } else if (f instanceof RelayToClient.Reply) {
        RelayToClient.Reply r = (RelayToClient.Reply) f;
        replies.incrementAndGet();
        CompletableFuture<HostReply> p = pending.remove(r.id());
        if (p != null) {
          p.complete(CODEC.fromBody(r.body(), HostReply.class));
        }
      } else if (f instanceof RelayToClient.Error) {
        RelayToClient.Error e = (RelayToClient.Error) f;
        CompletableFuture<HostReply> p = e.id() == null ? null : pending.remove(e.id());
        if (p != null) {
          p.complete(new HostReply.Error(e.code(), e.message()));
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      welcome.completeExceptionally(cause);
      ctx.close();
    }
  }
}
