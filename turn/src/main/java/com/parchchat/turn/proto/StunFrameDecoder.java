package com.parchchat.turn.proto;

import com.parchchat.protocol.stun.StunFraming;
import com.parchchat.protocol.stun.StunParseException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts a TURN-over-TCP byte stream into STUN messages and ChannelData messages
 * (RFC 8489 §6.2.2, RFC 8656 §12.5) using {@link StunFraming}. Emits each frame as a
 * retained slice. A stream that does not start with 00 or 01 bits is not TURN: the
 * connection is closed rather than resynchronised.
 */
public final class StunFrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameLength;

  public StunFrameDecoder(int maxFrameLength) {
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    while (in.readableBytes() >= StunFraming.PREFIX_LENGTH) {
      int r = in.readerIndex();
      int length;
      try {
        length = StunFraming.frameLength(in.getByte(r), in.getByte(r + 1), in.getByte(r + 2), in.getByte(r + 3));
      } catch (StunParseException e) {
        in.skipBytes(in.readableBytes());
        ctx.close();
        return;
      }
      if (length > maxFrameLength) {
        in.skipBytes(in.readableBytes());
        ctx.close();
        throw new TooLongFrameException("TURN frame of " + length + " bytes");
      }
      if (in.readableBytes() < length) {
        return;
      }
      out.add(in.readRetainedSlice(length));
    }
  }
}
