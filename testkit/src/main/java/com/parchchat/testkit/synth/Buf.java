package com.parchchat.testkit.synth;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A reusable byte-array window for jitsi-srtp's in-place transforms, with the big-endian reads and
 * writes RTP needs.
 */
public final class Buf implements ByteArrayBuffer {
  private byte[] buffer;
  private int offset;
  private int length;

  public Buf(int capacity) {
    buffer = new byte[capacity];
  }

  public Buf set(int off, int len) {
    offset = off;
    length = len;
    return this;
  }

  public static int int32(byte[] b, int o) {
    return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
  }

  public static void put32(byte[] b, int o, int v) {
    b[o] = (byte) (v >>> 24);
    b[o + 1] = (byte) (v >>> 16);
    b[o + 2] = (byte) (v >>> 8);
    b[o + 3] = (byte) v;
  }

  public static long int64(byte[] b, int o) {
    return ((long) int32(b, o) << 32) | (int32(b, o + 4) & 0xFFFFFFFFL);
  }

  public static void put64(byte[] b, int o, long v) {
    for (int i = 7; i >= 0; i--) {
      b[o + i] = (byte) v;
      v >>>= 8;
    }
  }

  @Override
  public byte[] getBuffer() {
    return buffer;
  }

  @Override
  public int getOffset() {
    return offset;
  }

  @Override
  public int getLength() {
    return length;
  }

  @Override
  public void setLength(int len) {
    length = len;
  }

  @Override
  public void setOffset(int off) {
    offset = off;
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int off, int len, byte[] out) {
    System.arraycopy(buffer, offset + off, out, 0, len);
  }

  @Override
  public void grow(int howMuch) {
    if (offset + length + howMuch > buffer.length) {
      byte[] bigger = new byte[offset + length + howMuch];
      System.arraycopy(buffer, 0, bigger, 0, offset + length);
      buffer = bigger;
    }
  }

  @Override
  public void append(byte[] data, int len) {
    grow(len);
    System.arraycopy(data, 0, buffer, offset + length, len);
    length += len;
  }

  @Override
  public void shrink(int len) {
    length = Math.max(0, length - len);
  }
}
