package com.parchchat.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sequence rewriting and the NACK cache of one forwarded stream. */
class DownTrackTest {
  private final DownTrack d = new DownTrack(null, "1", 42);

  @Test
  void upstreamLossStaysVisibleButGapsTheSfuMadeDoNot() {
    int first = d.mapSequence(1000, 0);
    assertThat(d.mapSequence(1001, 0)).isEqualTo((first + 1) & 0xFFFF);
    // packet 1002 lost upstream: the receiver must see the same gap, so it can NACK it
    assertThat(d.mapSequence(1003, 0)).isEqualTo((first + 3) & 0xFFFF);
    // the SFU then withholds 1004..1499 (muted / not among the loudest): the gate epoch changes
    assertThat(d.mapSequence(1500, 1)).isEqualTo((first + 4) & 0xFFFF);
    assertThat(d.mapSequence(1501, 1)).isEqualTo((first + 5) & 0xFFFF);
    // a late reordered packet maps consistently and does not move the high-water mark
    assertThat(d.mapSequence(1499, 1)).isEqualTo((first + 3) & 0xFFFF);
    assertThat(d.mapSequence(1502, 1)).isEqualTo((first + 6) & 0xFFFF);
  }

  @Test
  void sequenceNumbersWrapAt16Bits() {
    int first = d.mapSequence(65535, 0);
    assertThat(d.mapSequence(0, 0)).isEqualTo((first + 1) & 0xFFFF);
  }

  @Test
  void nackedPacketsComeBackFromTheCacheUntilOverwritten() {
    byte[] pkt = new byte[60];
    pkt[0] = (byte) 0x80;
    pkt[20] = 7;
    d.onSent(pkt, 60, 100, 960, 0);
    int[] len = new int[1];
    byte[] again = d.cached(100, len);
    assertThat(len[0]).isEqualTo(60);
    assertThat(again).hasSizeGreaterThanOrEqualTo(60 + 16); // room for the SRTP tag
    assertThat(again[20]).isEqualTo((byte) 7);
    assertThat(d.cached(101, len)).isNull();
    d.onSent(pkt, 60, 100 + 512, 960, 0); // same slot, newer packet
    assertThat(d.cached(100, len)).isNull();
    assertThat(d.packets()).isEqualTo(2);
    assertThat(d.octets()).isEqualTo(2 * 48);
  }
}
