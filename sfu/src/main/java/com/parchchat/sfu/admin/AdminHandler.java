package com.parchchat.sfu.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.sfu.room.RoomManager;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API on the signalling port: {@code POST /admin/rooms/{room}/kick} with
 * {@code Authorization: Bearer <admin secret>} and {@code {"userId":"..."}} removes a member at
 * once; {@code GET /admin/stats[?reset=true]} returns counters and the in-SFU forwarding latency;
 * {@code GET /health} answers 200. Other requests pass on to the WebSocket handshake.
 * The secret is compared in constant time over SHA-256 digests (no length leak).
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
  private static final String PREFIX = "/admin/rooms/";
  private static final String KICK = "/kick";
  private static final ObjectMapper JSON = SignalCodec.newObjectMapper();

  private final byte[] secretDigest;
  private final RoomManager rooms;

  public AdminHandler(String adminSecret, RoomManager rooms) {
    super(false);
    this.secretDigest = sha256(adminSecret.getBytes(StandardCharsets.UTF_8));
    this.rooms = rooms;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = new QueryStringDecoder(req.uri()).rawPath();
    if (path.equals("/health")) {
      req.release();
      respond(ctx, req, HttpResponseStatus.OK, Map.of("status", "ok"));
      return;
    }
    if (!path.startsWith("/admin/")) {
      ctx.fireChannelRead(req); // WebSocket handshake and anything else
      return;
    }
    try {
      handleAdmin(ctx, req, path);
    } finally {
      req.release();
    }
  }

  private void handleAdmin(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    if (!authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
      respond(ctx, req, HttpResponseStatus.UNAUTHORIZED, Map.of("error", "unauthorized"));
      return;
    }
    if (path.equals("/admin/stats") && HttpMethod.GET.equals(req.method())) {
      boolean reset = new QueryStringDecoder(req.uri()).parameters().getOrDefault("reset", List.of()).contains("true");
      respond(ctx, req, HttpResponseStatus.OK, rooms.stats(reset));
      return;
    }
    if (!path.startsWith(PREFIX) || !path.endsWith(KICK) || path.length() <= PREFIX.length() + KICK.length()) {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, Map.of("error", "not_found"));
      return;
    }
    if (!HttpMethod.POST.equals(req.method())) {
      respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, Map.of("error", "bad_request"));
      return;
    }
    String room = QueryStringDecoder.decodeComponent(path.substring(PREFIX.length(), path.length() - KICK.length()));
    String userId;
    try {
      JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
      JsonNode u = body == null ? null : body.get("userId");
      if (u == null || !u.isTextual() || u.asText().isEmpty()) {
        respond(ctx, req, HttpResponseStatus.BAD_REQUEST, Map.of("error", "bad_request", "message", "userId required"));
        return;
      }
      userId = u.asText();
    } catch (IOException e) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, Map.of("error", "bad_request", "message", "body is not JSON"));
      return;
    }
    boolean kicked = rooms.kick(room, userId);
    log.info("admin kick {} from {}: {}", userId, room, kicked ? "removed" : "not present");
    if (kicked) {
      respond(ctx, req, HttpResponseStatus.OK, Map.of("kicked", true));
    } else {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, Map.of("error", "not_found", "kicked", false));
    }
  }

  private boolean authorized(String header) {
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    byte[] given = sha256(header.substring(7).getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(given, secretDigest);
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      bytes = new byte[0];
    }
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(resp, bytes.length);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpUtil.setKeepAlive(resp, keepAlive);
    if (keepAlive) {
      ctx.writeAndFlush(resp);
    } else {
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
