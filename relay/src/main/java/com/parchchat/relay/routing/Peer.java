package com.parchchat.relay.routing;

import com.parchchat.relay.config.LimitsConfig;
import com.parchchat.relay.metrics.RelayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a WebSocket the relay writes to (a client session or a host link). Writes are
 * bounded: a peer whose outbound buffer stays above the Netty high water mark for longer than
 * the grace period, or whose unsent bytes would pass {@code maxQueuedBytes}, is a slow consumer
 * and is disconnected with a reason, so one slow reader never grows memory without bound or
 * slows the others. Short bursts above the high water mark are absorbed.
 */
public abstract class Peer {
  private static final Logger log = LoggerFactory.getLogger(Peer.class);
  /** How long a closing peer gets to read its close frame before the socket is cut. */
  private static final long CLOSE_GRACE_MILLIS = 2000;

  protected final Channel channel;
  private final RelayMetrics metrics;
  private final int maxQueuedBytes;
  private final int graceMillis;
  private volatile boolean closing;
  private final AtomicBoolean graceTimer = new AtomicBoolean();
  private boolean flushPending;

  protected Peer(Channel channel, RelayMetrics metrics, LimitsConfig limits) {
    this.channel = channel;
    this.metrics = metrics;
    this.maxQueuedBytes = limits.maxQueuedBytes();
    this.graceMillis = limits.slowConsumerGraceMillis();
  }

  public Channel channel() {
    return channel;
  }

  public boolean closing() {
    return closing;
  }

  /** A short name for logs (no secrets). */
  public abstract String describe();

  /** Writes and flushes one JSON text frame; takes ownership of {@code utf8}. False if dropped. */
  public boolean sendRaw(ByteBuf utf8) {
    if (!admit(utf8)) {
      return false;
    }
    channel.writeAndFlush(new TextWebSocketFrame(utf8), channel.voidPromise());
    metrics.frameOut();
    return true;
  }

  /**
   * Writes pre-encoded WebSocket frame bytes (see {@link WebSocketFrames}) without flushing, for
   * fan-out; call on this channel's event loop, then flush via {@link #markForFlush()}. Takes
   * ownership of {@code frame}. False if dropped.
   */
  boolean writeEncoded(ByteBuf frame) {
    if (!admit(frame)) {
      return false;
    }
    channel.write(frame, channel.voidPromise());
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
    channel.flush();
  }

  /** The slow-consumer policy; releases {@code utf8} and returns false when the frame must be dropped. */
  private boolean admit(ByteBuf utf8) {
    if (closing || !channel.isActive()) {
      utf8.release();
      return false;
    }
    if (!channel.isWritable()) {
      long queued = channel.bytesBeforeWritable() + channel.config().getWriteBufferLowWaterMark();
      if (queued + utf8.readableBytes() > maxQueuedBytes) {
        utf8.release();
        slowConsumer();
        return false;
      }
      unwritable();
    }
    return true;
  }

  public boolean sendRaw(byte[] utf8) {
    return sendRaw(Unpooled.wrappedBuffer(utf8));
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

  /** Disconnects the peer as a slow consumer. */
  public void slowConsumer() {
    if (!closing) {
      metrics.slowConsumer();
      log.warn("{} cannot keep up (outbound buffer full); disconnecting", describe());
      close(1008, "slow consumer: outbound buffer full");
    }
  }

  /**
   * Sends a close frame with {@code code} and {@code reason}, stops all further writes and cuts
   * the connection once the frame is flushed or after a short grace period.
   */
  public void close(int code, String reason) {
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
