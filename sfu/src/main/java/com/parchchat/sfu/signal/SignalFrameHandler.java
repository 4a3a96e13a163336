package com.parchchat.sfu.signal;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuErrorReason;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.sfu.room.Participant;
import com.parchchat.sfu.room.RoomManager;
import com.parchchat.sfu.sdp.PeerDescription;
import com.parchchat.sfu.sdp.SdpParseException;
import com.parchchat.sfu.sdp.SessionDescription;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's SFU signalling connection: {@code join} first, then answers, mute and leave. Every
 * failure becomes a typed {@code error} frame; a refused join also closes the connection. Closing
 * the connection leaves the room.
 */
final class SignalFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(SignalFrameHandler.class);

  private final SignalCodec codec;
  private final TokenVerifier tokens;
  private final RoomManager rooms;
  private WebSocketSignalSink sink;
  private Participant participant;

  SignalFrameHandler(SignalCodec codec, TokenVerifier tokens, RoomManager rooms) {
    this.codec = codec;
    this.tokens = tokens;
    this.rooms = rooms;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (sink == null) {
      sink = new WebSocketSignalSink(ctx.channel(), codec);
    }
    if (!(frame instanceof TextWebSocketFrame)) {
      error(ErrorCode.BAD_REQUEST, SfuErrorReason.BAD_FRAME, "only text frames are accepted");
      return;
    }
    ClientToSfu msg;
    try {
      msg = codec.decode(((TextWebSocketFrame) frame).text(), ClientToSfu.class);
    } catch (ProtocolException e) {
      error(e.code(), SfuErrorReason.BAD_FRAME, e.getMessage());
      return;
    }
    try {
      dispatch(msg);
    } catch (RuntimeException e) {
      log.error("SFU signalling failure", e);
      error(ErrorCode.INTERNAL, SfuErrorReason.INTERNAL, "internal error");
    }
  }

  private void dispatch(ClientToSfu msg) {
    if (msg instanceof ClientToSfu.Join) {
      onJoin((ClientToSfu.Join) msg);
      return;
    }
    if (participant == null) {
      error(ErrorCode.BAD_REQUEST, SfuErrorReason.NOT_JOINED, "send join first");
      return;
    }
    if (msg instanceof ClientToSfu.Answer) {
      ClientToSfu.Answer a = (ClientToSfu.Answer) msg;
      try {
        participant.onAnswer(a.sdp(), a.revision());
      } catch (SdpParseException e) {
        error(ErrorCode.BAD_REQUEST, SfuErrorReason.SDP_INVALID, e.getMessage());
      } catch (Participant.StaleAnswerException e) {
        error(ErrorCode.CONFLICT, SfuErrorReason.STALE_ANSWER, e.getMessage());
      }
    } else if (msg instanceof ClientToSfu.Mute) {
      rooms.setMuted(participant, ((ClientToSfu.Mute) msg).muted());
    } else if (msg instanceof ClientToSfu.Leave) {
      participant.close("leave");
    }
  }

  private void onJoin(ClientToSfu.Join join) {
    if (participant != null) {
      error(ErrorCode.CONFLICT, SfuErrorReason.ALREADY_JOINED, "this connection already joined");
      return;
    }
    SfuToken t;
    try {
      t = tokens.verify(join.token(), join.room());
    } catch (TokenException e) {
      refuse(ErrorCode.UNAUTHORIZED, e.reason(), e.getMessage());
      return;
    }
    if (join.sdp() != null) {
      try {
        PeerDescription.readOffer(SessionDescription.parse(join.sdp()));
      } catch (SdpParseException e) {
        refuse(ErrorCode.BAD_REQUEST, SfuErrorReason.SDP_INVALID, e.getMessage());
        return;
      }
    }
    try {
      participant = rooms.join(t.room(), t.userId(), t.name(), t.canSpeak(), sink, join.sdp());
    } catch (RoomManager.JoinException e) {
      refuse(e.reason() == SfuErrorReason.SDP_INVALID ? ErrorCode.BAD_REQUEST : ErrorCode.UNAVAILABLE, e.reason(),
          e.getMessage());
    }
  }

  private void refuse(ErrorCode code, SfuErrorReason reason, String message) {
    error(code, reason, message);
    sink.close();
  }

  private void error(ErrorCode code, SfuErrorReason reason, String message) {
    sink.send(new SfuToClient.Error(code, reason, message == null ? reason.wire() : message));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (participant != null) {
      participant.close(null);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("signalling connection error: {}", cause.toString());
    ctx.close();
  }
}
