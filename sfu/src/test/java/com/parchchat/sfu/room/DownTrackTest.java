package com.parchchat.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.sfu.rtp.RtpPacket;
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
  void nackedSequenceNumbersMapBackOnlyWithinTheCurrentMapping() {
    assertThat(d.inSequence(5)).isEqualTo(-1); // nothing sent yet
    int first = d.mapSequence(1000, 0);
    d.mapSequence(1001, 0);
    d.mapSequence(1003, 0);
    assertThat(d.inSequence((first + 1) & 0xFFFF)).isEqualTo(1001);
    assertThat(d.inSequence((first + 2) & 0xFFFF)).isEqualTo(1002); // lost upstream: may be cached
    assertThat(d.inSequence((first + 4) & 0xFFFF)).isEqualTo(-1); // not sent yet
    // after a re-base, numbers of the old mapping are not answered (they meant other packets)
    int rebased = d.mapSequence(1500, 1);
    assertThat(d.inSequence(rebased)).isEqualTo(1500);
    assertThat(d.inSequence((first + 1) & 0xFFFF)).isEqualTo(-1);
    d.onSent(60, 960, 0);
    d.onSent(60, 1920, 0);
    assertThat(d.packets()).isEqualTo(2);
    assertThat(d.octets()).isEqualTo(2 * 48);
  }

  @Test
  void publisherCacheKeepsPacketsUntilOverwritten() {
    PacketCache c = new PacketCache();
    byte[] pkt = new byte[60];
    pkt[20] = 7;
    c.put(100, pkt, 0, 60);
    assertThat(c.copy(100)).hasSize(60);
    assertThat(c.copy(100)[20]).isEqualTo((byte) 7);
    assertThat(c.copy(101)).isNull();
    c.put(100 + PacketCache.SLOTS, pkt, 0, 40); // same slot, newer packet
    assertThat(c.copy(100)).isNull();
    assertThat(c.copy(100 + PacketCache.SLOTS)).hasSize(40);
    c.clear();
    assertThat(c.copy(100 + PacketCache.SLOTS)).isNull();
  }

  @Test
  void nackedPacketIsRebuiltForThisSubscriberFromThePublisherCache() throws Exception {
    d.configure(true, 109, 3); // this subscriber: Opus as PT 109, audio level as extension id 3
    PacketCache cache = new PacketCache();
    // the publisher's packet: PT 111, seq 2000, ts 96000, SSRC 7, audio level (id 1) 0x95, payload 1..40
    byte[] in = new byte[12 + 8 + 40];
    in[0] = (byte) 0x90;
    in[1] = 111;
    in[2] = (byte) (2000 >> 8);
    in[3] = (byte) 2000;
    in[5] = 1;
    in[6] = 0x77;
    in[11] = 7;
    in[12] = (byte) 0xBE;
    in[13] = (byte) 0xDE;
    in[15] = 1;
    in[16] = 0x10; // id 1, length 1
    in[17] = (byte) 0x95;
    for (int i = 0; i < 40; i++) {
      in[20 + i] = (byte) (i + 1);
    }
    cache.put(2000, in, 0, in.length);
    int out = d.mapSequence(2000, 0);
    int[] len = new int[1];
    byte[] again = d.rebuild(cache, 1, out, len);
    assertThat(again).hasSizeGreaterThanOrEqualTo(len[0] + 16); // room for the SRTP tag
    RtpPacket p = RtpPacket.parse(again, 0, len[0]);
    assertThat(p.payloadType()).isEqualTo(109);
    assertThat(p.sequence()).isEqualTo(out);
    assertThat(p.ssrc()).isEqualTo(42);
    assertThat(p.timestamp()).isEqualTo(0x017700L);
    assertThat(again[p.findExtension(3)]).isEqualTo((byte) 0x95);
    assertThat(p.payloadLength()).isEqualTo(40);
    assertThat(again[p.payloadOffset()]).isEqualTo((byte) 1);
    assertThat(d.rebuild(cache, 1, (out + 1) & 0xFFFF, len)).isNull(); // not sent
  }
}
