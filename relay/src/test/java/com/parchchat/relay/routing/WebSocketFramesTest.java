package com.parchchat.relay.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fan-out's pre-encoded frames are byte-identical to Netty's own server frame encoder and decode back. */
class WebSocketFramesTest {

  @ParameterizedTest(name = "payload of {0} bytes")
  @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536})
  void matchesNettysEncoderAndDecodesBack(int length) {
    byte[] payload = "x".repeat(length).getBytes(StandardCharsets.UTF_8);

    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    assertThat(encoder.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)))).isTrue();
    ByteBuf expected = Unpooled.buffer();
    for (Object part; (part = encoder.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) part;
      expected.writeBytes(b);
      b.release();
    }
    assertThat(encoder.finish()).isFalse();

    ByteBuf ours = WebSocketFrames.text(ByteBufAllocator.DEFAULT, payload);
    try {
      assertThat(ByteBufUtil.equals(ours, expected)).isTrue();

      // a client-side decoder (unmasked frames allowed) reads our bytes back as the same text frame
      EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20, true));
      assertThat(decoder.writeInbound(ours.retainedDuplicate())).isTrue();
      TextWebSocketFrame frame = decoder.readInbound();
      assertThat(frame.text()).hasSize(length);
      frame.release();
      assertThat(decoder.finish()).isFalse();
    } finally {
      ours.release();
      expected.release();
    }
  }
}
