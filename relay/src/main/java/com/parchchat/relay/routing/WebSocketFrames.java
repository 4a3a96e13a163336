package com.parchchat.relay.routing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Pre-encoded WebSocket frames for fan-out. A server's frames are not masked (RFC 6455 §5.1) and
 * the relay negotiates no extensions, so one text message encodes to the same bytes for every
 * recipient: the relay builds them once per event and writes duplicates, skipping the per-
 * connection frame encoder.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |                         Payload Data ...                      |
 * +---------------------------------------------------------------+
 * </pre>
 * (RFC 6455 §5.2)
 */
final class WebSocketFrames {
  private static final int FIN_TEXT = 0x81;

  private WebSocketFrames() {}

  /** A complete unmasked, unfragmented text frame around {@code utf8}; takes ownership of it. */
  static ByteBuf text(ByteBufAllocator alloc, ByteBuf utf8) {
    int len = utf8.readableBytes();
    ByteBuf header = alloc.buffer(10);
    header.writeByte(FIN_TEXT);
    if (len < 126) {
      header.writeByte(len);
    } else if (len <= 0xFFFF) {
      header.writeByte(126);
      header.writeShort(len);
    } else {
      header.writeByte(127);
      header.writeLong(len);
    }
    CompositeByteBuf frame = alloc.compositeBuffer(2);
    frame.addComponents(true, header, utf8);
    return frame;
  }
}
