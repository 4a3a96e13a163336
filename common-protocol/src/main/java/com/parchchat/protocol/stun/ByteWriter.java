package com.parchchat.protocol.stun;

import java.util.Arrays;

/** Growable big-endian byte sink used by the encoders; not thread safe. */
final class ByteWriter {
  private byte[] buf;
  private int pos;

  ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  void u8(int v) {
    ensure(1);
    buf[pos++] = (byte) v;
  }

  void u16(int v) {
    ensure(2);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  void u32(int v) {
    ensure(4);
    buf[pos++] = (byte) (v >>> 24);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  void u64(long v) {
    u32((int) (v >>> 32));
    u32((int) v);
  }

  void bytes(byte[] b) {
    bytes(b, 0, b.length);
  }

  void bytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  void zeros(int n) {
    ensure(n);
    pos += n; // the array is zero-filled where we have not written yet
  }

  int position() {
    return pos;
  }

  void setU16(int at, int v) {
    buf[at] = (byte) (v >>> 8);
    buf[at + 1] = (byte) v;
  }

  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  static int u32(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  static long u64(byte[] b, int at) {
    return ((long) u32(b, at) << 32) | (u32(b, at + 4) & 0xFFFFFFFFL);
  }
}
