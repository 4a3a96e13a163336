package com.parchchat.host.relaylink;

import com.parchchat.host.auth.HostIdentity;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the relay's {@code host.challenge} with the signed {@code host.auth}, marks the link
 * ready on {@code host.ready}, and hands every later frame to the {@link RelayListener}. Shared
 * by all connections of the link; it keeps no per-connection state.
 */
@ChannelHandler.Sharable
final class RelayLinkHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(RelayLinkHandler.class);

  private final RelayLink link;
  private final String hostId;
  private final HostIdentity identity;
  private final SignalCodec codec;

  RelayLinkHandler(RelayLink link, String hostId, HostIdentity identity, SignalCodec codec) {
    this.link = link;
    this.hostId = hostId;
    this.identity = identity;
    this.codec = codec;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof PongWebSocketFrame) {
      return;
    }
    if (!(frame instanceof TextWebSocketFrame)) {
      log.warn("ignoring a non-text frame from the relay: {}", frame.getClass().getSimpleName());
      return;
    }
    RelayToHost message;
    try {
      message = codec.decode(((TextWebSocketFrame) frame).text(), RelayToHost.class);
    } catch (ProtocolException e) {
      log.warn("undecodable frame from the relay ({}): {}", e.code().wire(), e.getMessage());
      return;
    }
    if (message instanceof RelayToHost.HostChallenge) {
      String nonce = ((RelayToHost.HostChallenge) message).nonce();
      ctx.writeAndFlush(new TextWebSocketFrame(codec.encode(identity.answer(hostId, nonce))));
    } else if (message instanceof RelayToHost.HostReady) {
      link.ready(ctx.channel(), ((RelayToHost.HostReady) message).hostId());
    } else if (message instanceof RelayToHost.Error && !link.isReady(ctx.channel())) {
      RelayToHost.Error err = (RelayToHost.Error) message;
      log.error("the relay refused this host ({}): {}", err.code().wire(), err.message());
      if (err.code() == ErrorCode.UNAUTHORIZED) {
        ctx.close();
      }
    } else {
      link.deliver(message);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      IdleStateEvent idle = (IdleStateEvent) evt;
      if (idle.state() == IdleState.WRITER_IDLE) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      } else if (idle.state() == IdleState.READER_IDLE) {
        log.warn("no frame from the relay for 60 s; reconnecting");
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("relay connection failed: {}", cause.toString());
    ctx.close();
  }
}
