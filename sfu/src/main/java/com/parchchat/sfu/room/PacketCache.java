package com.parchchat.sfu.room;

import java.util.Arrays;

/**
 * The last packets one publisher sent, plain (after SRTP decryption) and as received, by their
 * RTP sequence number: the source for retransmissions a subscriber asks for with a generic NACK
 * (RFC 4585 §6.2.1). One cache per publisher, not one per subscriber: each subscriber's copy is
 * rebuilt from it on demand ({@link DownTrack#inSequence} maps the subscriber's sequence number
 * back), so the memory does not grow with publishers × subscribers and the forwarding path copies
 * each packet once, not once per receiver. Written by the media thread; read (copied out under
 * the same uncontended lock) by the send thread of the subscriber that NACKed.
 */
final class PacketCache {
  /** Packets kept: 256 × 20 ms = 5 s of audio, far beyond any NACK that can still be played out. */
  static final int SLOTS = 256;

  private final byte[][] data = new byte[SLOTS][];
  /** {@code sequence | length << 16}, or -1 for an empty slot. */
  private final int[] seqAndLength = new int[SLOTS];

  PacketCache() {
    clear();
  }

  synchronized void clear() {
    Arrays.fill(seqAndLength, -1);
  }

  synchronized void put(int sequence, byte[] src, int offset, int length) {
    int slot = sequence & (SLOTS - 1);
    byte[] d = data[slot];
    if (d == null || d.length < length) {
      d = new byte[Math.max(length, 256)];
      data[slot] = d;
    }
    System.arraycopy(src, offset, d, 0, length);
    seqAndLength[slot] = (sequence & 0xFFFF) | (length << 16);
  }

  /** A copy of packet {@code sequence} (exactly its length), or null when it is not cached. */
  synchronized byte[] copy(int sequence) {
    int slot = sequence & (SLOTS - 1);
    int v = seqAndLength[slot];
    return v != -1 && (v & 0xFFFF) == sequence ? Arrays.copyOf(data[slot], v >>> 16) : null;
  }
}
