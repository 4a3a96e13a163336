package com.parchchat.relay.http;

import com.parchchat.protocol.signal.ErrorCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What client and host WebSocket handlers share: text frames only, liveness (ping when quiet,
 * close when silent), an authentication deadline, and in-order processing across asynchronous
 * steps — while a frame waits for the blocking executor (token check, host lookup, signature
 * check) later frames queue in a small backlog instead of overtaking it.
 */
abstract class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);
  private static final int MAX_BACKLOG = 256;

  protected final RelayServices services;
  private final Deque<String> backlog = new ArrayDeque<>();
  private boolean busy;
  private int quietPeriods;
  private ScheduledFuture<?> authDeadline;
  protected ChannelHandlerContext ctx;

  FrameHandler(RelayServices services) {
    this.services = services;
  }

  /** Handles one text frame, on the event loop, in arrival order. */
  protected abstract void onText(String text);

  /** The WebSocket handshake completed. */
  protected abstract void onOpen();

  /** The connection closed. */
  protected abstract void onClose();

  /** Sends an error frame of this direction's type. */
  protected abstract void sendError(String id, ErrorCode code, String message);

  /** True once the peer proved who it is. */
  protected abstract boolean authenticated();

  /** The outbound buffer went above the high water mark. */
  protected abstract void onUnwritable();

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    services.metrics().frameIn();
    if (!(frame instanceof TextWebSocketFrame)) {
      sendError(null, ErrorCode.BAD_REQUEST, "only text frames carrying JSON are accepted");
      return;
    }
    String text = ((TextWebSocketFrame) frame).text();
    if (busy) {
      if (backlog.size() >= MAX_BACKLOG) {
        sendError(null, ErrorCode.RATE_LIMITED, "too many frames while the previous one is processed");
        return;
      }
      backlog.add(text);
      return;
    }
    onText(text);
  }

  /**
   * Runs {@code work} on the blocking executor, then {@code then} with its result on the event
   * loop; frames arriving meanwhile wait. {@code work} throwing a RuntimeException hands it to
   * {@code failed}.
   */
  protected <T> void async(Supplier<T> work, Consumer<T> then, Consumer<RuntimeException> failed) {
    busy = true;
    try {
      services.blocking().execute(() -> {
        T result;
        try {
          result = work.get();
        } catch (RuntimeException e) {
          ctx.executor().execute(() -> {
            failed.accept(e);
            resume();
          });
          return;
        }
        ctx.executor().execute(() -> {
          then.accept(result);
          resume();
        });
      });
    } catch (RejectedExecutionException e) {
      busy = false;
      sendError(null, ErrorCode.UNAVAILABLE, "relay is overloaded; retry later");
    }
  }

  private void resume() {
    busy = false;
    while (!busy && !backlog.isEmpty() && ctx.channel().isActive()) {
      onText(backlog.poll());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      int seconds = services.config().limits().hostAuthTimeoutSeconds();
      authDeadline = ctx.executor().schedule(() -> {
        if (!authenticated()) {
          closeWith(1008, "authentication timeout");
        }
      }, seconds, TimeUnit.SECONDS);
      onOpen();
    } else if (evt instanceof IdleStateEvent) {
      // nothing read for pingInterval: ping; still nothing after idleTimeout: close. Only reads
      // count (a pong is a read), so a peer that only receives is pinged and stays if it answers.
      IdleStateEvent idle = (IdleStateEvent) evt;
      if (idle.state() == IdleState.READER_IDLE) {
        var limits = services.config().limits();
        quietPeriods = idle.isFirst() ? 1 : quietPeriods + 1;
        if ((long) quietPeriods * limits.pingIntervalSeconds() >= limits.idleTimeoutSeconds()) {
          closeWith(1001, "idle timeout");
        } else {
          ctx.writeAndFlush(new PingWebSocketFrame());
        }
      }
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (!ctx.channel().isWritable()) {
      onUnwritable();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (authDeadline != null) {
      authDeadline.cancel(false);
    }
    backlog.clear();
    onClose();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      // a fragmented message grew past the hard limit in the aggregator
      log.info("closing {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
      closeWith(1009, "message too big");
      return;
    }
    if (cause instanceof ClosedChannelException) {
      log.debug("write to closed connection {}", ctx.channel().remoteAddress());
      return;
    }
    if (cause instanceof CorruptedFrameException) {
      // the WebSocket decoder already answered with a close frame (1009 too big / 1002 protocol error)
      log.info("closing {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
    } else {
      log.warn("closing {} after an unexpected error", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  /** Sends a close frame and closes the connection. */
  protected void closeWith(int code, String reason) {
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }
  }

  protected String remote() {
    return String.valueOf(ctx.channel().remoteAddress());
  }
}
