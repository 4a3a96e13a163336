package com.parchchat.relay.routing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

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

  /**
   * A complete unmasked, unfragmented text frame around {@code utf8}, in one direct buffer: the
   * transport writes duplicates of it without the per-message heap-to-direct copy.
   */
  static ByteBuf text(ByteBufAllocator alloc, byte[] utf8) {
    ByteBuf frame = header(alloc, utf8.length);
    frame.writeBytes(utf8);
    return frame;
  }

  /** As {@link #text(ByteBufAllocator, byte[])}; copies the readable bytes of {@code utf8}, which the caller keeps. */
  static ByteBuf text(ByteBufAllocator alloc, ByteBuf utf8) {
    ByteBuf frame = header(alloc, utf8.readableBytes());
    frame.writeBytes(utf8, utf8.readerIndex(), utf8.readableBytes());
    return frame;
  }

  private static ByteBuf header(ByteBufAllocator alloc, int len) {
    ByteBuf frame = alloc.directBuffer(len + 10);
    frame.writeByte(FIN_TEXT);
    if (len < 126) {
      frame.writeByte(len);
    } else if (len <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(len);
    } else {
      frame.writeByte(127);
      frame.writeLong(len);
    }
    return frame;
  }
}
