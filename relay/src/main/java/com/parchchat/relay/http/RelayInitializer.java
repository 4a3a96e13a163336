package com.parchchat.relay.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline of a new connection: [TLS] → HTTP codec → aggregator → {@link HttpApiHandler}. A
 * WebSocket upgrade swaps the API handler for idle/ping handling, the WebSocket protocol handler
 * (frame size cap), a fragment aggregator and the client or host frame handler.
 */
public final class RelayInitializer extends ChannelInitializer<SocketChannel> {
  private final RelayServices services;
  private final SslContext ssl;

  public RelayInitializer(RelayServices services, SslContext ssl) {
    this.services = services;
    this.ssl = ssl;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      p.addLast("tls", ssl.newHandler(ch.alloc()));
    }
    // closes connections that stall before the WebSocket upgrade (slowloris, idle keep-alive)
    p.addLast("http-timeout",
        new ReadTimeoutHandler(services.config().limits().httpReadTimeoutSeconds(), TimeUnit.SECONDS));
    p.addLast("http", new HttpServerCodec());
    p.addLast("http-agg", new HttpObjectAggregator(services.config().limits().maxHttpBodyBytes()));
    p.addLast("api", new HttpApiHandler(services));
  }

  /**
   * Replaces the API handler with the WebSocket handlers for {@code path}; the caller then fires
   * the upgrade request from its context so it reaches the handshake.
   */
  static void switchToWebSocket(ChannelHandlerContext ctx, String path, RelayServices services) {
    var limits = services.config().limits();
    boolean host = path.equals("/ws/host");
    int maxFrame = host ? limits.maxHostFrameBytes() : limits.hardMaxFrameBytes();
    WebSocketServerProtocolConfig config =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(path)
            .checkStartsWith(false)
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .handshakeTimeoutMillis(10_000)
            .forceCloseTimeoutMillis(2_000)
            .decoderConfig(
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(maxFrame)
                    .allowExtensions(false)
                    .expectMaskedFrames(true)
                    .build())
            .build();
    ChannelPipeline p = ctx.pipeline();
    String me = ctx.name();
    if (p.get("http-timeout") != null) {
      p.remove("http-timeout"); // the WebSocket has its own ping/idle timeout from here on
    }
    p.addAfter(me, "idle",
        new IdleStateHandler(limits.pingIntervalSeconds(), 0, 0, TimeUnit.SECONDS));
    p.addAfter("idle", "ws", new WebSocketServerProtocolHandler(config));
    p.addAfter("ws", "ws-agg", new WebSocketFrameAggregator(maxFrame));
    p.addAfter("ws-agg", "frames", host ? new HostSocketHandler(services) : new ClientSocketHandler(services));
    p.remove(me);
  }
}
