package com.parchchat.host.relaylink;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.host.auth.HostIdentity;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handshake and dispatch of the relay link, frame by frame on an EmbeddedChannel. */
class RelayLinkHandlerTest {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();

  private final List<Object> events = new ArrayList<>();
  private final HostIdentity identity = HostIdentity.generate();
  private final RelayLink link = new RelayLink(URI.create("ws://127.0.0.1:1/ws/host"), "h_test", identity, CODEC,
      new Backoff(1000, 1000), new RelayListener() {
        @Override
        public void onReady(String hostId) {
          events.add("ready:" + hostId);
        }

        @Override
        public void onFrame(RelayToHost frame) {
          events.add(frame);
        }

        @Override
        public void onDisconnected() {
          events.add("disconnected");
        }
      });

  @AfterEach
  void close() {
    link.close();
  }

  @Test
  void answersTheChallengeWithAValidSignatureThenDeliversFrames() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel(new RelayLinkHandler(link, "h_test", identity, CODEC));
    ch.writeInbound(new TextWebSocketFrame(CODEC.encode(new RelayToHost.HostChallenge("nonce-1"))));
    TextWebSocketFrame out = ch.readOutbound();
    HostToRelay.HostAuth auth = (HostToRelay.HostAuth) CODEC.decode(out.text(), HostToRelay.class);
    out.release();
    assertThat(auth.hostId()).isEqualTo("h_test");
    assertThat(identity.verify(HostToRelay.HostAuth.signedPayloadBytes("h_test", "nonce-1"),
        Base64.getDecoder().decode(auth.signature()))).isTrue();
    assertThat(events).isEmpty();

    ch.writeInbound(new TextWebSocketFrame(CODEC.encode(new RelayToHost.HostReady("h_test"))));
    assertThat(events).containsExactly("ready:h_test");
    assertThat(link.state()).isEqualTo(RelayLink.State.ONLINE);

    RelayToHost.SessionOpen open = new RelayToHost.SessionOpen("s1", new UserRef("u1", "ann", "Ann"));
    ch.writeInbound(new TextWebSocketFrame(CODEC.encode(open)));
    assertThat(events).containsExactly("ready:h_test", open);
    // garbage from the relay is logged and dropped; the link stays up
    ch.writeInbound(new TextWebSocketFrame("{not json"));
    assertThat(ch.isActive()).isTrue();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void anUnauthorizedAnswerClosesTheConnection() {
    EmbeddedChannel ch = new EmbeddedChannel(new RelayLinkHandler(link, "h_test", identity, CODEC));
    ch.writeInbound(new TextWebSocketFrame(CODEC.encode(new RelayToHost.Error(null,
        com.parchchat.protocol.signal.ErrorCode.UNAUTHORIZED, "host authentication failed"))));
    assertThat(ch.isActive()).isFalse();
    assertThat(events).isEmpty();
    ch.finishAndReleaseAll();
  }
}
