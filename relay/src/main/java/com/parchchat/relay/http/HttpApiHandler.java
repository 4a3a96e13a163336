package com.parchchat.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.UserRef;
import com.parchchat.relay.account.ApiException;
import com.parchchat.relay.account.AuthenticatedSession;
import com.parchchat.relay.account.LoginResult;
import com.parchchat.relay.config.TrustedProxies;
import com.parchchat.relay.store.HostRecord;
import com.parchchat.relay.store.SessionRecord;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's HTTP surface: the accounts and host-registry JSON API under {@code /api/v1},
 * {@code /healthz}, {@code /metrics}, the password-reset page, and the WebSocket upgrades on
 * {@code /ws/client} and {@code /ws/host} (which replace this handler in the pipeline).
 *
 * <p>Bodies are parsed on the event loop (they are small and bounded); everything that touches
 * Argon2id or SQLite runs on the blocking executor and writes its response from there.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpApiHandler.class);
  private static final String API = "/api/v1";
  private static final String X_FORWARDED_FOR = "X-Forwarded-For";
  private static final String RESET_PAGE = loadResetPage();

  /** Pipelined requests waiting behind one that runs on the blocking executor. */
  private static final int MAX_PIPELINED = 16;

  private final RelayServices services;
  private final HttpResponses out;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private boolean inFlight;

  HttpApiHandler(RelayServices services) {
    this.services = services;
    this.out = new HttpResponses(services.json());
  }

  /** One API call, run on the blocking executor; returns the response body (null for 204). */
  @FunctionalInterface
  private interface Call {
    Object run();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (inFlight) {
      // HTTP/1.1 pipelining: answer in request order, so wait for the call on the executor
      if (queued.size() >= MAX_PIPELINED) {
        out.error(ctx, false, 429, ErrorCode.RATE_LIMITED, "too many pipelined requests");
        return;
      }
      queued.add(req.retain());
      return;
    }
    handle(ctx, req);
  }

  private void drain(ChannelHandlerContext ctx) {
    inFlight = false;
    while (!inFlight && !queued.isEmpty() && ctx.channel().isActive()) {
      FullHttpRequest next = queued.poll();
      try {
        handle(ctx, next);
      } finally {
        next.release();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseQueued();
    super.channelInactive(ctx);
  }

  private void releaseQueued() {
    for (FullHttpRequest r; (r = queued.poll()) != null; ) {
      r.release();
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (!req.decoderResult().isSuccess()) {
      out.error(ctx, false, 400, ErrorCode.BAD_REQUEST, "malformed HTTP request");
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    HttpMethod method = req.method();

    if (path.equals("/ws/client") || path.equals("/ws/host")) {
      upgrade(ctx, req, path);
      return;
    }
    if (method.equals(HttpMethod.GET) && path.equals("/healthz")) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", "ok");
      body.put("clients", services.router().clientCount());
      out.json(ctx, keepAlive, 200, body);
      return;
    }
    if (method.equals(HttpMethod.GET) && path.equals("/metrics")) {
      out.text(ctx, keepAlive, 200, "text/plain; version=0.0.4; charset=utf-8", services.metrics().scrape());
      return;
    }
    if (method.equals(HttpMethod.GET) && path.equals("/reset")) {
      out.text(ctx, keepAlive, 200, "text/html; charset=utf-8", RESET_PAGE);
      return;
    }
    if (!path.startsWith(API + "/")) {
      out.error(ctx, keepAlive, 404, ErrorCode.NOT_FOUND, "no such endpoint");
      return;
    }
    JsonNode body;
    try {
      body = parseBody(req);
    } catch (ApiException e) {
      out.error(ctx, keepAlive, e);
      return;
    }
    String ip = ip(ctx, req, services.config().limits().trustedProxies());
    String token = bearer(req);
    String userAgent = req.headers().get(HttpHeaderNames.USER_AGENT);
    Call call = route(method, path.substring(API.length()), body, token, ip, userAgent);
    if (call == null) {
      out.error(ctx, keepAlive, 404, ErrorCode.NOT_FOUND, "no such endpoint: " + method + " " + path);
      return;
    }
    int okStatus = method.equals(HttpMethod.POST) && (path.equals(API + "/accounts") || path.equals(API + "/sessions")
        || path.equals(API + "/hosts")) ? 201 : 200;
    inFlight = true;
    try {
      services.blocking().execute(() -> {
        try {
          run(ctx, keepAlive, okStatus, call);
        } finally {
          ctx.executor().execute(() -> drain(ctx));
        }
      });
    } catch (RejectedExecutionException e) {
      inFlight = false;
      out.error(ctx, keepAlive, 503, ErrorCode.UNAVAILABLE, "relay is overloaded; retry later");
    }
  }

  private void run(ChannelHandlerContext ctx, boolean keepAlive, int okStatus, Call call) {
    try {
      Object result = call.run();
      if (result == null) {
        out.json(ctx, keepAlive, 204, null);
      } else {
        out.json(ctx, keepAlive, okStatus, result);
      }
    } catch (ApiException e) {
      if (e.code() == ErrorCode.UNAUTHORIZED) {
        services.metrics().loginFailure();
      }
      out.error(ctx, keepAlive, e);
    } catch (RuntimeException e) {
      log.error("HTTP API call failed", e);
      out.error(ctx, keepAlive, 500, ErrorCode.INTERNAL, "internal error");
    }
  }

  private Call route(HttpMethod m, String p, JsonNode b, String token, String ip, String ua) {
    var accounts = services.accounts();
    if (m.equals(HttpMethod.POST)) {
      switch (p) {
        case "/accounts":
          return () -> user(accounts.register(
              text(b, "username"), optText(b, "displayName"), text(b, "email"), text(b, "password"), ip));
        case "/sessions":
          return () -> login(accounts.login(text(b, "username"), text(b, "password"), ua, ip));
        case "/sessions/logout":
          return () -> {
            accounts.logout(accounts.authenticate(token));
            return null;
          };
        case "/account/password":
          return () -> {
            accounts.changePassword(accounts.authenticate(token), text(b, "currentPassword"), text(b, "newPassword"));
            return null;
          };
        case "/account/display-name":
          return () -> user(accounts.changeDisplayName(accounts.authenticate(token), text(b, "displayName")));
        case "/account/delete":
          return () -> {
            accounts.deleteAccount(accounts.authenticate(token), text(b, "password"));
            return null;
          };
        case "/password-reset":
          return () -> {
            accounts.requestPasswordReset(text(b, "login"), ip);
            return Map.of("status", "if the account exists, a reset link was mailed");
          };
        case "/password-reset/confirm":
          return () -> {
            accounts.confirmPasswordReset(text(b, "token"), text(b, "newPassword"));
            return null;
          };
        case "/hosts":
          return () -> registerHost(b, token, ip);
        default:
          return null;
      }
    }
    if (m.equals(HttpMethod.GET)) {
      if (p.equals("/account")) {
        return () -> {
          AuthenticatedSession a = accounts.authenticate(token);
          Map<String, Object> r = user(a.ref());
          r.put("email", a.user().email());
          r.put("sessionId", a.sessionId());
          return r;
        };
      }
      if (p.equals("/sessions")) {
        return () -> sessions(accounts.authenticate(token));
      }
      if (p.startsWith("/hosts/") && p.length() > "/hosts/".length()) {
        String id = p.substring("/hosts/".length());
        return () -> {
          HostRecord h = services.hosts().find(id).orElseThrow(() -> ApiException.notFound("no such host"));
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("hostId", h.id());
          r.put("name", h.name());
          r.put("online", services.router().isOnline(h.id()));
          return r;
        };
      }
    }
    if (m.equals(HttpMethod.DELETE) && p.startsWith("/sessions/") && p.length() > "/sessions/".length()) {
      String id = p.substring("/sessions/".length());
      return () -> {
        accounts.revokeSession(accounts.authenticate(token), id);
        return null;
      };
    }
    return null;
  }

  private Object registerHost(JsonNode b, String token, String ip) {
    String owner = token == null ? null : services.accounts().authenticate(token).user().id();
    HostRecord h = services.hosts().register(text(b, "name"), text(b, "publicKey"), owner, ip);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("hostId", h.id());
    r.put("name", h.name());
    return r;
  }

  private static Map<String, Object> user(UserRef u) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("userId", u.id());
    r.put("username", u.username());
    r.put("displayName", u.displayName());
    return r;
  }

  private static Map<String, Object> login(LoginResult l) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("token", l.token());
    r.put("sessionId", l.sessionId());
    r.put("expiresAt", l.expiresAt());
    r.put("user", user(l.user()));
    return r;
  }

  private Map<String, Object> sessions(AuthenticatedSession a) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (SessionRecord s : services.accounts().sessions(a)) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("sessionId", s.id());
      r.put("createdAt", s.createdAt());
      r.put("lastSeenAt", s.lastSeenAt());
      r.put("expiresAt", s.expiresAt());
      r.put("userAgent", s.userAgent());
      r.put("ip", s.ip());
      r.put("current", s.id().equals(a.sessionId()));
      list.add(r);
    }
    return Map.of("sessions", list);
  }

  private JsonNode parseBody(FullHttpRequest req) {
    if (req.content().readableBytes() == 0) {
      return services.json().createObjectNode();
    }
    try {
      JsonNode n = services.json().readTree(req.content().toString(StandardCharsets.UTF_8));
      if (n == null || !n.isObject()) {
        throw ApiException.badRequest("body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw ApiException.badRequest("malformed JSON body");
    }
  }

  private static String text(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      throw ApiException.badRequest("missing field '" + field + "'");
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest("field '" + field + "' must be a string");
    }
    return v.textValue();
  }

  private static String optText(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest("field '" + field + "' must be a string");
    }
    return v.textValue();
  }

  private static String bearer(FullHttpRequest req) {
    String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return h.substring(7).trim();
  }

  /**
   * The client address per-IP limits apply to: the TCP peer, or behind a configured trusted proxy
   * the nearest untrusted address of {@code X-Forwarded-For} ({@link TrustedProxies}).
   */
  static String ip(ChannelHandlerContext ctx, FullHttpRequest req, TrustedProxies trusted) {
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress) {
      InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
      if (!trusted.isEmpty()) {
        peer = trusted.clientAddress(peer, req.headers().getAll(X_FORWARDED_FOR));
      }
      return peer.getHostAddress();
    }
    return "unknown";
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
      out.error(ctx, false, 400, ErrorCode.BAD_REQUEST, "WebSocket upgrade expected on " + path);
      return;
    }
    releaseQueued();
    RelayInitializer.switchToWebSocket(ctx, path, services);
    ctx.fireChannelRead(req.retain());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private static String loadResetPage() {
    try (InputStream in = HttpApiHandler.class.getResourceAsStream("/reset.html")) {
      if (in == null) {
        throw new IllegalStateException("reset.html missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
