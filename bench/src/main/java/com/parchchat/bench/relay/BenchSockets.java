package com.parchchat.bench.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Lean WebSocket client connections for load generation. The HTTP upgrade is Netty's real client
 * handshake (RFC 6455 §4.1); after it, the frame decoder is replaced by {@link FrameReader}, which
 * parses only the frame headers of the (unmasked, unfragmented) server frames and hands each text
 * payload to the listener as a region of the read buffer — no frame objects, no copies. Sending
 * uses Netty's masking client encoder. Native epoll on Linux when it is on the class path.
 */
final class BenchSockets implements AutoCloseable {
  /** Receives each text frame (bytes {@code [from, from + len)} of {@code buf}, valid during the call). */
  interface Listener {
    void onOpen(Channel ch);

    void onText(Channel ch, ByteBuf buf, int from, int len);

    /** The connection closed (at any stage). */
    default void onClose(Channel ch) {}
  }

  private final EventLoopGroup group;
  private final Class<? extends Channel> channelClass;
  private final String transport;

  BenchSockets(int threads) {
    IoHandlerFactory factory = NioIoHandler.newFactory();
    Class<? extends Channel> type = NioSocketChannel.class;
    String name = "nio";
    // native epoll when netty-transport-native-epoll is on the class path (looked up by name, so the
    // bench also builds and runs without it)
    try {
      if ((Boolean) Class.forName("io.netty.channel.epoll.Epoll").getMethod("isAvailable").invoke(null)) {
        factory = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
            .getMethod("newFactory").invoke(null);
        type = Class.forName("io.netty.channel.epoll.EpollSocketChannel").asSubclass(Channel.class);
        name = "epoll";
      }
    } catch (ReflectiveOperationException | LinkageError notAvailable) {
      // NIO
    }
    group = new MultiThreadIoEventLoopGroup(threads, factory);
    channelClass = type;
    transport = name;
  }

  /** "epoll" or "nio". */
  String transport() {
    return transport;
  }

  Channel connect(URI uri, String localAddress, Listener listener) throws InterruptedException {
    return connectAsync(uri, localAddress, listener).sync().channel();
  }

  /** Starts a connection; the future completes when TCP is connected (the upgrade follows). */
  ChannelFuture connectAsync(URI uri, String localAddress, Listener listener) {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(
                            new WebSocketClientProtocolHandler(
                                WebSocketClientHandshakerFactory.newHandshaker(
                                    uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20),
                                true, true, 60_000L))
                        .addLast("open", new OpenHandler(listener));
                  }
                });
    InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
    return localAddress == null ? b.connect(remote) : b.connect(remote, new InetSocketAddress(localAddress, 0));
  }

  static void send(Channel ch, String text) {
    ch.writeAndFlush(new TextWebSocketFrame(text));
  }

  static String text(ByteBuf buf, int from, int len) {
    return buf.toString(from, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Waits for the upgrade, then swaps Netty's frame decoding for the {@link FrameReader}. */
  private static final class OpenHandler extends ChannelInboundHandlerAdapter {
    private final Listener listener;

    OpenHandler(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        // the relay sends nothing before the client's hello, so no frame bytes are buffered yet
        ChannelPipeline p = ctx.pipeline();
        List<ChannelHandler> drop = new ArrayList<>();
        for (Map.Entry<String, ChannelHandler> e : p) {
          ChannelHandler h = e.getValue();
          if (h instanceof WebSocketFrameDecoder || h instanceof WebSocketClientProtocolHandler
              || h instanceof Utf8FrameValidator || h instanceof WebSocketFrameAggregator) {
            drop.add(h);
          }
        }
        for (ChannelHandler h : drop) {
          p.remove(h);
        }
        p.replace(this, "frames", new FrameReader(listener));
        listener.onOpen(ctx.channel());
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      listener.onClose(ctx.channel());
      ctx.fireChannelInactive();
    }
  }

  /**
   * Parses server frames (RFC 6455 §5.2: never masked) straight from the socket's read buffers,
   * keeping only an incomplete trailing frame between reads. Text frames go to the listener, a
   * ping is answered, a close closes.
   */
  static final class FrameReader extends ChannelInboundHandlerAdapter {
    private final Listener listener;
    private ByteBuf partial;

    FrameReader(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf)) {
        ctx.fireChannelRead(msg);
        return;
      }
      ByteBuf in = (ByteBuf) msg;
      if (partial != null) {
        partial.writeBytes(in);
        in.release();
        in = partial;
        partial = null;
      }
      try {
        while (in.readableBytes() >= 2) {
          int r = in.readerIndex();
          int b0 = in.getUnsignedByte(r);
          int b1 = in.getUnsignedByte(r + 1) & 0x7F;
          int header = 2;
          long len = b1;
          if (b1 == 126) {
            if (in.readableBytes() < 4) {
              break;
            }
            len = in.getUnsignedShort(r + 2);
            header = 4;
          } else if (b1 == 127) {
            if (in.readableBytes() < 10) {
              break;
            }
            len = in.getLong(r + 2);
            header = 10;
          }
          if (len > (1 << 24)) {
            throw new IllegalStateException("frame of " + len + " bytes");
          }
          if (in.readableBytes() < header + len) {
            break;
          }
          int opcode = b0 & 0x0F;
          int from = r + header;
          if (opcode == 1) {
            listener.onText(ctx.channel(), in, from, (int) len);
          } else if (opcode == 9) {
            ctx.writeAndFlush(new PongWebSocketFrame(in.retainedSlice(from, (int) len)));
          } else if (opcode == 8) {
            ctx.close();
          }
          in.readerIndex(from + (int) len);
        }
        if (in.isReadable()) {
          partial = ctx.alloc().heapBuffer(Math.max(4096, 2 * in.readableBytes()));
          partial.writeBytes(in);
        }
      } finally {
        in.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (partial != null) {
        partial.release();
        partial = null;
      }
      listener.onClose(ctx.channel());
      ctx.fireChannelInactive();
    }
  }
}
