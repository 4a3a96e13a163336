package com.parchchat.turn.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

class StunFrameDecoderTest {

  @Test
  void splitsStunAndPaddedChannelDataArrivingInPieces() {
    byte[] stun = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, new byte[12]).encode();
    byte[] cd = new ChannelData(0x4000, new byte[] {1, 2, 3, 4, 5}).encode(true);
    byte[] all = new byte[stun.length + cd.length];
    System.arraycopy(stun, 0, all, 0, stun.length);
    System.arraycopy(cd, 0, all, stun.length, cd.length);

    EmbeddedChannel ch = new EmbeddedChannel(new StunFrameDecoder(1024));
    for (byte b : all) { // one byte at a time: the worst case for a stream decoder
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    ByteBuf first = ch.readInbound();
    ByteBuf second = ch.readInbound();
    assertThat(ByteBufUtil.getBytes(first)).isEqualTo(stun);
    assertThat(ByteBufUtil.getBytes(second)).isEqualTo(cd).hasSize(12);
    first.release();
    second.release();
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void garbageClosesTheConnection() {
    EmbeddedChannel ch = new EmbeddedChannel(new StunFrameDecoder(1024));
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 0, 0, 1, 2, 3, 4}));
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void oversizeFrameIsRefused() {
    EmbeddedChannel ch = new EmbeddedChannel(new StunFrameDecoder(100));
    assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 0x10, 0})))
        .isInstanceOf(TooLongFrameException.class).hasMessageContaining("4116");
    assertThat(ch.isOpen()).isFalse();
  }
}
