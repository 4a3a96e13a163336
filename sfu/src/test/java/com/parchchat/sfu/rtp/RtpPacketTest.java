package com.parchchat.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtpPacketTest {
  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  // V=2 X=1, PT 111, seq 0x1234, ts 0x01020304, ssrc 0xCAFEBABE, one-byte ext: id1 len1 level 0x9e (V + 30), id4 mid "0"
  private static final String WITH_EXT = "90 6f 1234 01020304 cafebabe bede 0002 10 9e 40 30 00 00 00 00 aabbcc";

  @Test
  void parsesHeaderExtensionsAndPayload() throws Exception {
    byte[] b = hex(WITH_EXT);
    RtpPacket p = RtpPacket.parse(b, 0, b.length);
    assertThat(p.payloadType()).isEqualTo(111);
    assertThat(p.sequence()).isEqualTo(0x1234);
    assertThat(p.timestamp()).isEqualTo(0x01020304L);
    assertThat(p.ssrc()).isEqualTo(0xCAFEBABE);
    assertThat(p.audioLevel(1)).isEqualTo(30);
    assertThat(p.voiceActivity(1)).isTrue();
    int mid = p.findExtension(4);
    assertThat(mid).isPositive();
    assertThat((char) b[mid]).isEqualTo('0');
    assertThat(p.findExtension(7)).isEqualTo(-1);
    assertThat(p.payloadLength()).isEqualTo(3);
    assertThat(b[p.payloadOffset()] & 0xFF).isEqualTo(0xAA);
  }

  @Test
  void twoByteExtensionsAreRead() throws Exception {
    byte[] b = hex("90 6f 0001 00000001 00000001 1000 0001 01 01 85 00 ff");
    RtpPacket p = RtpPacket.parse(b, 0, b.length);
    assertThat(p.audioLevel(1)).isEqualTo(5);
  }

  @Test
  void writerMapsPayloadTypeSsrcSequenceAndExtensionId() throws Exception {
    byte[] b = hex(WITH_EXT);
    RtpPacket in = RtpPacket.parse(b, 0, b.length);
    byte[] out = new byte[RtpWriter.maxLength(in)];
    int len = RtpWriter.write(in, out, 100, 7, in.timestamp(), 0x11223344, 3, 0x9e);
    RtpPacket p = RtpPacket.parse(out, 0, len);
    assertThat(p.payloadType()).isEqualTo(100);
    assertThat(p.sequence()).isEqualTo(7);
    assertThat(p.ssrc()).isEqualTo(0x11223344);
    assertThat(p.audioLevel(3)).isEqualTo(30);
    assertThat(p.findExtension(4)).isEqualTo(-1); // the publisher's mid never leaks to a subscriber
    assertThat(p.payloadLength()).isEqualTo(3);
    int noExt = RtpWriter.write(in, out, 100, 8, in.timestamp(), 1, 0, 0x9e);
    assertThat(RtpPacket.parse(out, 0, noExt).audioLevel(1)).isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "too short, 80 6f 0001 00000001",
    "version 1, 40 6f 0001 00000001 00000001",
    "CSRC count beyond packet, 8f 6f 0001 00000001 00000001 00000000",
    "extension header cut, 90 6f 0001 00000001 00000001 bede",
    "extension length beyond packet, 90 6f 0001 00000001 00000001 bede 00ff 10 9e 00 00",
    "padding longer than packet, a0 6f 0001 00000001 00000001 aa ff",
    "zero padding, a0 6f 0001 00000001 00000001 aa 00",
  })
  void malformedPacketsAreTypedErrors(String name, String hexBytes) {
    byte[] b = hex(hexBytes);
    assertThatThrownBy(() -> RtpPacket.parse(b, 0, b.length)).isInstanceOf(RtpParseException.class);
  }

  @Test
  void rangeOutsideBufferIsRejected() {
    byte[] b = new byte[20];
    assertThatThrownBy(() -> RtpPacket.parse(b, 10, 20)).isInstanceOf(RtpParseException.class);
  }

  @Test
  void extensionElementRunningPastTheBlockIsIgnored() throws Exception {
    byte[] b = hex("90 6f 0001 00000001 00000001 bede 0001 1f 9e 00 00");
    RtpPacket p = RtpPacket.parse(b, 0, b.length);
    assertThat(p.audioLevel(1)).isEqualTo(-1);
  }
}
