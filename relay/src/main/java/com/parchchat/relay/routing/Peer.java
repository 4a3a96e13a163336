package com.parchchat.relay.routing;

import com.parchchat.relay.config.LimitsConfig;
import com.parchchat.relay.metrics.RelayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a WebSocket the relay writes to (a client session or a host link). Everything the
 * router sends to a peer goes through the {@link Outbox} of the peer's event loop, in order, as
 * pre-encoded WebSocket frames. Writes are bounded: a peer whose outbound buffer stays above the
 * Netty high water mark for longer than the grace period, or whose unsent bytes would pass
 * {@code maxQueuedBytes}, is a slow consumer and is disconnected with a reason, so one slow reader
 * never grows memory without bound or slows the others. Short bursts above the high water mark are
 * absorbed.
 */
public abstract class Peer {
  private static final Logger log = LoggerFactory.getLogger(Peer.class);
  /** How long a closing peer gets to read its close frame before the socket is cut. */
  private static final long CLOSE_GRACE_MILLIS = 2000;

  protected final Channel channel;
  private final RelayMetrics metrics;
  private final Outbox outbox;
  private final int maxQueuedBytes;
  private final int graceMillis;
  private volatile boolean closing;
  private final AtomicBoolean closeQueued = new AtomicBoolean();
  private final AtomicBoolean graceTimer = new AtomicBoolean();
  /** Event loop only: a flush is owed; the context fan-out writes start from. */
  private boolean flushPending;
  private ChannelHandlerContext out;

  protected Peer(Channel channel, RelayMetrics metrics, LimitsConfig limits) {
    this.channel = channel;
    this.metrics = metrics;
    this.outbox = Outbox.of(channel.eventLoop());
    this.maxQueuedBytes = limits.maxQueuedBytes();
    this.graceMillis = limits.slowConsumerGraceMillis();
  }

  public Channel channel() {
    return channel;
  }

  Outbox outbox() {
    return outbox;
  }

  public boolean closing() {
    return closing;
  }

  /** A short name for logs (no secrets). */
  public abstract String describe();

  /**
   * Queues one JSON text frame (written and flushed by the loop's outbox, after everything queued
   * before it); takes ownership of {@code utf8}. False if the peer is already closing.
   */
  public boolean sendRaw(ByteBuf utf8) {
    try {
      if (closing || closeQueued.get()) {
        return false;
      }
      outbox.offer(WebSocketFrames.text(channel.alloc(), utf8), this);
      metrics.frameOut();
      return true;
    } finally {
      utf8.release();
    }
  }

  public boolean sendRaw(byte[] utf8) {
    return sendRaw(Unpooled.wrappedBuffer(utf8));
  }

  void countDeliveries(int n) {
    metrics.deliveries(n);
    metrics.framesOut(n);
  }

  /**
   * Writes pre-encoded WebSocket frame bytes (see {@link WebSocketFrames}) without flushing; event
   * loop only, then flush via {@link #markForFlush()}. The bytes enter the pipeline below the
   * WebSocket encoder (they are already a frame), so only the transport and TLS see them. Takes
   * ownership of {@code frame}. False if dropped.
   */
  boolean writeEncoded(ByteBuf frame) {
    if (!admit(frame)) {
      return false;
    }
    ChannelHandlerContext ctx = out;
    if (ctx == null || ctx.isRemoved()) {
      ctx = out = channel.pipeline().context(WebSocketFrameEncoder.class);
    }
    if (ctx != null) {
      ctx.write(frame, ctx.voidPromise());
    } else {
      channel.write(frame, channel.voidPromise());
    }
    return true;
  }

  /**
   * True the first time it is called after a flush: the caller then owes this peer one flush.
   * Only touched on the channel's event loop.
   */
  boolean markForFlush() {
    if (flushPending) {
      return false;
    }
    flushPending = true;
    return true;
  }

  /** Flushes what {@link #writeEncoded} queued. Event loop only. */
  void flushMarked() {
    flushPending = false;
    ChannelHandlerContext ctx = out;
    if (ctx != null && !ctx.isRemoved()) {
      ctx.flush();
    } else {
      channel.flush();
    }
  }

  /** The slow-consumer policy; releases {@code frame} and returns false when it must be dropped. */
  private boolean admit(ByteBuf frame) {
    if (closing || !channel.isActive()) {
      frame.release();
      return false;
    }
    if (!channel.isWritable()) {
      long queued = channel.bytesBeforeWritable() + channel.config().getWriteBufferLowWaterMark();
      if (queued + frame.readableBytes() > maxQueuedBytes) {
        frame.release();
        slowConsumer();
        return false;
      }
      unwritable();
    }
    return true;
  }

  /**
   * The outbound buffer went above the high water mark: unless it drains below the low mark
   * within the grace period, the peer is disconnected.
   */
  public void unwritable() {
    if (closing || !graceTimer.compareAndSet(false, true)) {
      return;
    }
    channel.eventLoop().schedule(() -> {
      graceTimer.set(false);
      if (!channel.isWritable()) {
        slowConsumer();
      }
    }, graceMillis, TimeUnit.MILLISECONDS);
  }

  /** Disconnects the peer as a slow consumer (at once: the frames still queued for it are dropped). */
  public void slowConsumer() {
    if (closing) {
      return;
    }
    if (channel.eventLoop().inEventLoop()) {
      metrics.slowConsumer();
      log.warn("{} cannot keep up (outbound buffer full); disconnecting", describe());
      closeNow(1008, "slow consumer: outbound buffer full");
    } else {
      channel.eventLoop().execute(this::slowConsumer);
    }
  }

  /**
   * Sends a close frame with {@code code} and {@code reason} after the frames already queued for
   * this peer, stops all further writes and cuts the connection once the frame is flushed or after
   * a short grace period.
   */
  public void close(int code, String reason) {
    if (closing || !closeQueued.compareAndSet(false, true)) {
      return;
    }
    outbox.offerClose(this, code, reason);
  }

  /** {@link #close} on the event loop, now. */
  void closeNow(int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    if (!channel.isActive()) {
      return;
    }
    channel
        .writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
    channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }
}
