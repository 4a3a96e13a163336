package com.parchchat.host.relaylink;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.URI;

/** Pipeline of the host's outbound WebSocket: [TLS] → HTTP client → WebSocket handshake → frames. */
final class RelayLinkInitializer extends ChannelInitializer<SocketChannel> {
  private final URI uri;
  private final SslContext ssl;
  private final int maxFrameBytes;
  private final RelayLinkHandler handler;

  RelayLinkInitializer(URI uri, SslContext ssl, int maxFrameBytes, RelayLinkHandler handler) {
    this.uri = uri;
    this.ssl = ssl;
    this.maxFrameBytes = maxFrameBytes;
    this.handler = handler;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      p.addLast(ssl.newHandler(ch.alloc(), uri.getHost(), port(uri)));
    }
    // first, so that every inbound byte (also pings and pongs the WebSocket handlers consume) counts
    p.addLast(new IdleStateHandler(60, 20, 0));
    p.addLast(new HttpClientCodec());
    p.addLast(new HttpObjectAggregator(64 * 1024));
    p.addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(uri)
        .maxFramePayloadLength(maxFrameBytes)
        .handshakeTimeoutMillis(10_000)
        .build()));
    p.addLast(new WebSocketFrameAggregator(maxFrameBytes));
    p.addLast(handler);
  }

  static int port(URI uri) {
    if (uri.getPort() > 0) {
      return uri.getPort();
    }
    return "wss".equals(uri.getScheme()) ? 443 : 80;
  }
}
