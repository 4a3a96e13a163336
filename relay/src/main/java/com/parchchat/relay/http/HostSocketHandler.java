package com.parchchat.relay.http;

import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.relay.account.Tokens;
import com.parchchat.relay.host.HostRegistry;
import com.parchchat.relay.routing.HostLink;
import com.parchchat.relay.store.HostRecord;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host's WebSocket ({@code /ws/host}). The relay speaks first with {@code host.challenge}
 * (a fresh 256-bit nonce); the host must answer {@code host.auth} with an Ed25519 signature over
 * {@link HostToRelay.HostAuth#signedPayload(String, String)}. One attempt per connection: a bad,
 * replayed or late answer ends the connection. Then the host's frames go to the router.
 */
final class HostSocketHandler extends FrameHandler {
  private static final Logger log = LoggerFactory.getLogger(HostSocketHandler.class);

  private String nonce;
  private boolean authAttempted;
  private HostLink link;

  HostSocketHandler(RelayServices services) {
    super(services);
  }

  @Override
  protected void onOpen() {
    nonce = Tokens.newSecret();
    send(new RelayToHost.HostChallenge(nonce));
  }

  @Override
  protected boolean authenticated() {
    return link != null;
  }

  @Override
  protected void onText(String text) {
    HostToRelay frame;
    try {
      frame = services.codec().decode(text, HostToRelay.class);
    } catch (ProtocolException e) {
      services.metrics().rejectedFrame();
      send(RelayToHost.Error.of(e));
      return;
    }
    if (link != null) {
      services.router().fromHost(link, frame);
      return;
    }
    if (!(frame instanceof HostToRelay.HostAuth) || authAttempted || nonce == null) {
      refuse("answer host.challenge with host.auth first");
      return;
    }
    authAttempted = true;
    HostToRelay.HostAuth auth = (HostToRelay.HostAuth) frame;
    String challenge = nonce;
    nonce = null;
    String remote = remote();
    async(
        () -> {
          HostRegistry.AuthResult r = services.hosts().verify(auth.hostId(), challenge, auth.signature(), remote);
          return r == HostRegistry.AuthResult.OK ? services.hosts().find(auth.hostId()).orElse(null) : null;
        },
        (HostRecord host) -> {
          if (host == null) {
            refuse("host authentication failed");
            return;
          }
          if (!ctx.channel().isActive()) {
            return;
          }
          link = new HostLink(host.id(), host.name(), ctx.channel(), services.metrics(), services.config().limits());
          log.info("host {} authenticated from {}", host.id(), remote);
          services.router().hostOnline(link);
        },
        e -> {
          log.error("host authentication failed with an internal error", e);
          sendError(null, ErrorCode.INTERNAL, "internal error");
          closeWith(1011, "internal error");
        });
  }

  private void refuse(String message) {
    services.metrics().hostAuthFailure();
    sendError(null, ErrorCode.UNAUTHORIZED, message);
    closeWith(1008, "unauthorized");
  }

  @Override
  protected void onUnwritable() {
    if (link != null) {
      link.unwritable();
    }
  }

  @Override
  protected void onClose() {
    if (link != null) {
      services.router().hostClosed(link);
    }
  }

  @Override
  protected void sendError(String id, ErrorCode code, String message) {
    services.metrics().rejectedFrame();
    send(new RelayToHost.Error(id, code, message));
  }

  private void send(RelayToHost frame) {
    byte[] bytes = services.codec().encodeUtf8(frame);
    if (link != null) {
      link.sendRaw(bytes);
    } else if (ctx.channel().isActive()) {
      ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
      services.metrics().frameOut();
    }
  }
}
