package com.parchchat.sfu.signal;

import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.sfu.admin.AdminHandler;
import com.parchchat.sfu.room.RoomManager;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/** HTTP → admin API or WebSocket upgrade on {@link SignalServer#WS_PATH} → SFU frames. */
final class SignalServerInitializer extends ChannelInitializer<SocketChannel> {
  private final SignalCodec codec;
  private final TokenVerifier tokens;
  private final RoomManager rooms;
  private final String adminSecret;
  private final int maxFrameBytes;

  SignalServerInitializer(SignalCodec codec, TokenVerifier tokens, RoomManager rooms, String adminSecret,
      int maxFrameBytes) {
    this.codec = codec;
    this.tokens = tokens;
    this.rooms = rooms;
    this.adminSecret = adminSecret;
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast(new HttpServerCodec(4096, 8192, 8192))
        .addLast(new HttpObjectAggregator(maxFrameBytes))
        .addLast(new AdminHandler(adminSecret, rooms))
        .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(SignalServer.WS_PATH)
            .maxFramePayloadLength(maxFrameBytes)
            .handleCloseFrames(true)
            .build()))
        // a client may fragment a large message (an answer with many sections) into continuation frames
        .addLast(new io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator(maxFrameBytes))
        .addLast(new SignalFrameHandler(codec, tokens, rooms));
  }
}
