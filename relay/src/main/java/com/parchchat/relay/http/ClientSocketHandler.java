package com.parchchat.relay.http;

import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.relay.account.ApiException;
import com.parchchat.relay.account.AuthenticatedSession;
import com.parchchat.relay.account.Tokens;
import com.parchchat.relay.routing.ClientSession;
import com.parchchat.relay.store.HostRecord;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's WebSocket ({@code /ws/client}): {@code hello} first, then attach/detach/request/ping.
 * Each connection has its own token bucket; a client that keeps flooding after being told
 * {@code rate_limited} is disconnected as abusive.
 */
final class ClientSocketHandler extends FrameHandler {
  private static final Logger log = LoggerFactory.getLogger(ClientSocketHandler.class);
  private static final int MAX_HELLO_FAILURES = 3;

  private ClientSession session;
  private boolean helloInFlight;
  private int helloFailures;
  private double tokens;
  private long lastRefill;
  private int rateLimited;

  ClientSocketHandler(RelayServices services) {
    super(services);
    this.tokens = services.config().limits().messageBurst();
    this.lastRefill = System.nanoTime();
  }

  @Override
  protected void onOpen() {}

  @Override
  protected boolean authenticated() {
    return session != null;
  }

  @Override
  protected void onText(String text) {
    if (!takeToken()) {
      return;
    }
    ClientToRelay frame;
    try {
      frame = services.codec().decode(text, ClientToRelay.class);
    } catch (ProtocolException e) {
      services.metrics().rejectedFrame();
      send(RelayToClient.Error.of(e));
      return;
    }
    if (session == null) {
      if (!(frame instanceof ClientToRelay.Hello)) {
        sendError(idOf(frame), ErrorCode.UNAUTHORIZED, "send hello with a session token first");
        return;
      }
      hello((ClientToRelay.Hello) frame);
      return;
    }
    if (frame instanceof ClientToRelay.Request) {
      services.router().request(session, (ClientToRelay.Request) frame);
    } else if (frame instanceof ClientToRelay.Attach) {
      attach((ClientToRelay.Attach) frame);
    } else if (frame instanceof ClientToRelay.Detach) {
      ClientToRelay.Detach d = (ClientToRelay.Detach) frame;
      services.router().detach(session, d.host(), d.id());
    } else if (frame instanceof ClientToRelay.Ping) {
      send(new RelayToClient.Pong());
    } else if (frame instanceof ClientToRelay.Hello) {
      sendError(null, ErrorCode.BAD_REQUEST, "already authenticated");
    } else {
      sendError(null, ErrorCode.BAD_REQUEST, "unsupported frame");
    }
  }

  private void hello(ClientToRelay.Hello hello) {
    if (helloInFlight) {
      sendError(null, ErrorCode.BAD_REQUEST, "hello already in progress");
      return;
    }
    helloInFlight = true;
    async(
        () -> services.accounts().authenticate(hello.token()),
        (AuthenticatedSession auth) -> {
          helloInFlight = false;
          if (!ctx.channel().isActive()) {
            return;
          }
          session = new ClientSession(Tokens.newId("c_"), auth.ref(), auth.sessionId(), ctx.channel(),
              services.metrics(), services.config().limits());
          services.router().clientOpened(session);
          send(new RelayToClient.Welcome(session.user(), session.id()));
        },
        e -> {
          helloInFlight = false;
          if (e instanceof ApiException && ((ApiException) e).code() == ErrorCode.UNAUTHORIZED) {
            services.metrics().clientAuthFailure();
            helloFailures++;
            log.info("client hello refused from {}: {}", remote(), e.getMessage());
            sendError(null, ErrorCode.UNAUTHORIZED, e.getMessage());
            if (helloFailures >= MAX_HELLO_FAILURES) {
              closeWith(1008, "too many failed hello attempts");
            }
          } else {
            log.error("client hello failed", e);
            sendError(null, ErrorCode.INTERNAL, "internal error");
          }
        });
  }

  private void attach(ClientToRelay.Attach a) {
    if (a.host().length() > services.codec().limits().maxIdChars()) {
      sendError(a.id(), ErrorCode.NOT_FOUND, "no such host");
      return;
    }
    async(
        () -> services.hosts().find(a.host()),
        (Optional<HostRecord> host) -> {
          if (session == null || session.closing()) {
            return;
          }
          if (host.isEmpty()) {
            sendError(a.id(), ErrorCode.NOT_FOUND, "no such host: " + a.host());
            return;
          }
          services.router().attach(session, host.get().id(), host.get().name(), a.id());
        },
        e -> {
          log.error("attach failed", e);
          sendError(a.id(), ErrorCode.INTERNAL, "internal error");
        });
  }

  /** Per-connection token bucket; floods end in a disconnect. */
  private boolean takeToken() {
    var limits = services.config().limits();
    long now = System.nanoTime();
    tokens = Math.min(limits.messageBurst(), tokens + (now - lastRefill) / 1e9 * limits.messagesPerSecond());
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    rateLimited++;
    services.metrics().rejectedFrame();
    if (rateLimited >= limits.floodDisconnectAfter()) {
      log.warn("disconnecting {} for flooding ({} frames over the rate limit)", remote(), rateLimited);
      if (session != null) {
        session.close(1008, "flood: too many frames over the rate limit");
      } else {
        closeWith(1008, "flood: too many frames over the rate limit");
      }
    } else if (rateLimited == 1 || rateLimited % 50 == 0) {
      sendError(null, ErrorCode.RATE_LIMITED,
          "more than " + limits.messagesPerSecond() + " frames per second; frames are being dropped");
    }
    return false;
  }

  @Override
  protected void onUnwritable() {
    if (session != null) {
      session.unwritable();
    }
  }

  @Override
  protected void onClose() {
    if (session != null) {
      services.router().clientClosed(session);
    }
  }

  @Override
  protected void sendError(String id, ErrorCode code, String message) {
    services.metrics().rejectedFrame();
    send(new RelayToClient.Error(id, code, message));
  }

  private void send(RelayToClient frame) {
    byte[] bytes = services.codec().encodeUtf8(frame);
    if (session != null) {
      session.sendRaw(bytes);
    } else if (ctx.channel().isActive()) {
      ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
      services.metrics().frameOut();
    }
  }

  private static String idOf(ClientToRelay frame) {
    if (frame instanceof ClientToRelay.Request) {
      return ((ClientToRelay.Request) frame).id();
    }
    if (frame instanceof ClientToRelay.Attach) {
      return ((ClientToRelay.Attach) frame).id();
    }
    if (frame instanceof ClientToRelay.Detach) {
      return ((ClientToRelay.Detach) frame).id();
    }
    return null;
  }
}
