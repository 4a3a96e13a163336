package com.parchchat.sfu.signal;

import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.sfu.room.SignalSink;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/** Sends SFU frames as WebSocket text frames on one connection. */
final class WebSocketSignalSink implements SignalSink {
  private final Channel channel;
  private final SignalCodec codec;

  WebSocketSignalSink(Channel channel, SignalCodec codec) {
    this.channel = channel;
    this.codec = codec;
  }

  @Override
  public void send(SfuToClient frame) {
    if (channel.isActive()) {
      channel.writeAndFlush(new TextWebSocketFrame(codec.encode(frame)), channel.voidPromise());
    }
  }

  @Override
  public void close() {
    if (channel.isActive()) {
      channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}
