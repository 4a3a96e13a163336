package com.parchchat.turn.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Serves the Prometheus text page; everything else is 404 (405 for non-GET). */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final TurnMetrics metrics;

  AdminHandler(TurnMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    HttpResponseStatus status;
    String body;
    String type = "text/plain; charset=utf-8";
    String path = req.uri().split("\\?", 2)[0];
    if (!HttpMethod.GET.equals(req.method())) {
      status = HttpResponseStatus.METHOD_NOT_ALLOWED;
      body = "method not allowed\n";
    } else if (path.equals("/metrics")) {
      status = HttpResponseStatus.OK;
      body = metrics.render();
      type = "text/plain; version=0.0.4; charset=utf-8";
    } else if (path.equals("/health")) {
      status = HttpResponseStatus.OK;
      body = "ok\n";
    } else {
      status = HttpResponseStatus.NOT_FOUND;
      body = "not found\n";
    }
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
  }
}
