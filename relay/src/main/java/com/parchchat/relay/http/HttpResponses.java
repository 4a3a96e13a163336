package com.parchchat.relay.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.relay.account.ApiException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes HTTP responses (JSON, text, errors) with the right length and keep-alive handling. */
final class HttpResponses {
  private final ObjectMapper json;

  HttpResponses(ObjectMapper json) {
    this.json = json;
  }

  void json(ChannelHandlerContext ctx, boolean keepAlive, int status, Object body) {
    byte[] bytes;
    try {
      bytes = body == null ? new byte[0] : json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode response", e);
    }
    write(ctx, keepAlive, status, "application/json; charset=utf-8", bytes);
  }

  void error(ChannelHandlerContext ctx, boolean keepAlive, ApiException e) {
    error(ctx, keepAlive, e.httpStatus(), e.code(), e.getMessage());
  }

  void error(ChannelHandlerContext ctx, boolean keepAlive, int status, ErrorCode code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code.wire());
    body.put("message", message);
    json(ctx, keepAlive, status, body);
  }

  void text(ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType, String text) {
    write(ctx, keepAlive, status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(ChannelHandlerContext ctx, boolean keepAlive, int status, String type, byte[] bytes) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    res.headers().set("X-Content-Type-Options", "nosniff");
    if (status == 204) {
      res.headers().remove(HttpHeaderNames.CONTENT_TYPE);
    }
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
