package com.parchchat.sfu.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.sfu.rtcp.RtcpWriter;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SRTP/SRTCP through jitsi-srtp as the SFU wires it: keys split from the DTLS exporter output the
 * way RFC 5764 §4.2 lays them out, so a DTLS server and client pair decrypt each other; tampering
 * and replays (RFC 3711 §3.3.2) are rejected.
 */
class SrtpSessionTest {
  private static byte[] rtp(int seq) {
    byte[] b = new byte[12 + 40 + 16];
    b[0] = (byte) 0x80;
    b[1] = 111;
    b[2] = (byte) (seq >> 8);
    b[3] = (byte) seq;
    b[11] = 42;
    for (int i = 12; i < 52; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void serverAndClientKeysMatchAndReplaysAndTamperingFail(SrtpProfile profile) throws Exception {
    byte[] km = new byte[profile.keyingMaterialLength()];
    new SecureRandom().nextBytes(km);
    try (SrtpSession server = new SrtpSession(profile, km, true); SrtpSession client = new SrtpSession(profile, km, false)) {
      byte[] plain = rtp(1);
      PacketBuffer p = server.protectRtp(new PacketBuffer(plain.clone(), 0, 52));
      int tag = profile == SrtpProfile.AEAD_AES_128_GCM ? 16 : 10;
      assertThat(p.getLength()).isEqualTo(52 + tag);
      byte[] wire = Arrays.copyOfRange(p.getBuffer(), p.getOffset(), p.getOffset() + p.getLength());
      assertThat(Arrays.copyOfRange(wire, 12, 52)).isNotEqualTo(Arrays.copyOfRange(plain, 12, 52));

      PacketBuffer back = client.unprotectRtp(new PacketBuffer(wire.clone(), 0, wire.length));
      assertThat(Arrays.copyOfRange(back.getBuffer(), back.getOffset(), back.getOffset() + back.getLength()))
          .isEqualTo(Arrays.copyOf(plain, 52));
      // the same packet again is a replay
      assertThatThrownBy(() -> client.unprotectRtp(new PacketBuffer(wire.clone(), 0, wire.length)))
          .isInstanceOf(SrtpException.class);
      // a flipped payload bit fails authentication
      byte[] tampered = server.protectRtp(new PacketBuffer(rtp(2), 0, 52)).getBuffer().clone();
      tampered[20] ^= 1;
      assertThatThrownBy(() -> client.unprotectRtp(new PacketBuffer(tampered, 0, 52 + tag)))
          .isInstanceOf(SrtpException.class);
      // the server cannot decrypt its own packets: directions use different keys
      byte[] own = server.protectRtp(new PacketBuffer(rtp(3), 0, 52)).getBuffer().clone();
      assertThatThrownBy(() -> server.unprotectRtp(new PacketBuffer(own, 0, 52 + tag)))
          .isInstanceOf(SrtpException.class);

      byte[] sr = RtcpWriter.senderReport(42, 1, 2, 3, 4, "x");
      byte[] buf = Arrays.copyOf(sr, sr.length + 32);
      PacketBuffer c = client.protectRtcp(new PacketBuffer(buf, 0, sr.length));
      byte[] srtcp = Arrays.copyOfRange(c.getBuffer(), c.getOffset(), c.getOffset() + c.getLength());
      PacketBuffer d = server.unprotectRtcp(new PacketBuffer(srtcp.clone(), 0, srtcp.length));
      assertThat(Arrays.copyOfRange(d.getBuffer(), d.getOffset(), d.getOffset() + d.getLength())).isEqualTo(sr);
      assertThatThrownBy(() -> server.unprotectRtcp(new PacketBuffer(srtcp.clone(), 0, srtcp.length)))
          .isInstanceOf(SrtpException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void truncatedPacketsAreTypedErrors(SrtpProfile profile) {
    try (SrtpSession s = new SrtpSession(profile, new byte[profile.keyingMaterialLength()], true)) {
      assertThatThrownBy(() -> s.unprotectRtp(new PacketBuffer(new byte[8], 0, 8))).isInstanceOf(SrtpException.class);
      assertThatThrownBy(() -> s.unprotectRtp(new PacketBuffer(rtp(1), 0, 14))).isInstanceOf(SrtpException.class);
      assertThatThrownBy(() -> s.unprotectRtcp(new PacketBuffer(new byte[4], 0, 4))).isInstanceOf(SrtpException.class);
    }
  }
}
