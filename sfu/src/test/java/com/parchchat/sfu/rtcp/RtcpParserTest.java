package com.parchchat.sfu.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtcpParserTest {
  @Test
  void senderReportAndSdesRoundTrip() throws Exception {
    byte[] sr = RtcpWriter.senderReport(0x01020304, RtcpWriter.ntpTime(1_700_000_000_000L), 48000, 10, 1000, "cname");
    List<RtcpHeader> packets = RtcpParser.split(sr, 0, sr.length);
    assertThat(packets).extracting(RtcpHeader::packetType).containsExactly(RtcpHeader.SR, RtcpHeader.SDES);
    assertThat(packets.get(0).senderSsrc()).isEqualTo(0x01020304);
    assertThat(packets.get(0).length()).isEqualTo(28);
    assertThat(RtcpParser.senderReportMiddleNtp(sr, packets.get(0))).isPositive();
    assertThat(sr.length % 4).isZero();
  }

  @Test
  void receiverReportCarriesTheBlock() throws Exception {
    byte[] rr = RtcpWriter.receiverReport(5, new RtcpWriter.ReportBlock(9, 12, 3, 70000, 44, 0x1234, 0x10), "c");
    List<RtcpHeader> packets = RtcpParser.split(rr, 0, rr.length);
    assertThat(packets.get(0).packetType()).isEqualTo(RtcpHeader.RR);
    assertThat(packets.get(0).count()).isEqualTo(1);
    ByteBuffer b = ByteBuffer.wrap(rr);
    assertThat(b.getInt(8)).isEqualTo(9);
    assertThat(b.get(12) & 0xFF).isEqualTo(12);
    assertThat(b.getInt(12) & 0xFFFFFF).isEqualTo(3);
    assertThat(b.getInt(16)).isEqualTo(70000);
  }

  @Test
  void genericNackListsPidAndBitmask() throws Exception {
    // RTPFB FMT=1, length 3: sender 1, media 0xAABBCCDD, PID 100, BLP 0b101 -> 100, 101, 103
    byte[] nack = HexFormat.of().parseHex("81cd0003" + "00000001" + "aabbccdd" + "00640005");
    RtcpHeader h = RtcpParser.split(nack, 0, nack.length).get(0);
    assertThat(RtcpParser.mediaSsrc(nack, h)).isEqualTo(0xAABBCCDD);
    assertThat(RtcpParser.nackedSequences(nack, h)).containsExactly(100, 101, 103);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "shorter than a header, 80c8",
    "length beyond datagram, 80c80006 00000001",
    "version 0, 00c80001 00000001",
    "second packet truncated, 80c90001 00000001 80c9",
  })
  void malformedCompoundsAreTypedErrors(String name, String hex) {
    byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
    assertThatThrownBy(() -> RtcpParser.split(b, 0, b.length)).isInstanceOf(RtcpParseException.class);
  }

  @Test
  void tooManyPacketsInOneDatagramIsRejected() {
    byte[] b = new byte[8 * (RtcpParser.MAX_PACKETS + 1)];
    for (int i = 0; i < b.length; i += 8) {
      b[i] = (byte) 0x80;
      b[i + 1] = (byte) RtcpHeader.RR;
      b[i + 3] = 1;
    }
    assertThatThrownBy(() -> RtcpParser.split(b, 0, b.length)).isInstanceOf(RtcpParseException.class);
  }
}
