package com.parchchat.sfu.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SFU's own AES_CM_128_HMAC_SHA1_80 send transform against RFC 3711's test vectors and
 * against jitsi-srtp: for the same keys and packets it must produce the same bytes as jitsi's
 * transform, and jitsi's receiver (with its replay list) must accept them. (AES-GCM is sent by
 * jitsi-srtp; the buffer-growth test covers both through {@link SrtpSession}.)
 */
class AesCmSrtpSenderTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void keyDerivationMatchesRfc3711AppendixB3() throws Exception {
    byte[] masterKey = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    byte[] masterSalt = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    Cipher master = Cipher.getInstance("AES/ECB/NoPadding");
    master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
    assertThat(HEX.formatHex(AesCmSrtpSender.derive(master, masterSalt, 0, 16)))
        .isEqualTo("c61e7a93744f39ee10734afe3ff7a087");
    assertThat(HEX.formatHex(AesCmSrtpSender.derive(master, masterSalt, 2, 14)))
        .isEqualTo("30cbbc08863d8c85d49db34a9ae1");
    assertThat(HEX.formatHex(AesCmSrtpSender.derive(master, masterSalt, 1, 20)))
        .isEqualTo("cebe321f6ff7716b6fd4ab49af256a156d38baa4");
  }

  @Test
  void keystreamMatchesRfc3711AppendixB2() throws Exception {
    AesCmSrtpSender s = new AesCmSrtpSender(HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c"), new byte[20],
        HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd"));
    // SSRC 0, sequence number 0, ROC 0: an all-zero payload encrypts to the keystream itself
    byte[] pkt = new byte[12 + 48 + 10];
    pkt[0] = (byte) 0x80;
    PacketBuffer out = new PacketBuffer(pkt, 0, 12 + 48);
    s.protect(s.stream(0), out);
    assertThat(out.getLength()).isEqualTo(12 + 48 + 10);
    assertThat(HEX.formatHex(Arrays.copyOfRange(pkt, 12, 60))).isEqualTo(
        "e03ead0935c95e80e166b16dd92b4eb4"
            + "d23513162b02d0f72a43a2fe4a5f97ab"
            + "41e95b3bb0a2e8dd477901e4fca894c0");
  }

  /** RTP packet with {@code csrcs} CSRCs, an optional one-byte-header extension and {@code payload} bytes. */
  private static byte[] rtp(Random r, int seq, int ssrc, int csrcs, boolean extension, int payload) {
    int header = 12 + 4 * csrcs + (extension ? 8 : 0);
    byte[] b = new byte[header + payload + 32];
    b[0] = (byte) (0x80 | (extension ? 0x10 : 0) | csrcs);
    b[1] = 111;
    b[2] = (byte) (seq >> 8);
    b[3] = (byte) seq;
    b[4] = (byte) r.nextInt();
    b[8] = (byte) (ssrc >>> 24);
    b[9] = (byte) (ssrc >>> 16);
    b[10] = (byte) (ssrc >>> 8);
    b[11] = (byte) ssrc;
    int o = 12 + 4 * csrcs;
    if (extension) {
      b[o] = (byte) 0xBE;
      b[o + 1] = (byte) 0xDE;
      b[o + 3] = 1;
      b[o + 4] = 0x10; // id 1, one byte: audio level
      b[o + 5] = (byte) 0x9A;
    }
    for (int i = header; i < header + payload; i++) {
      b[i] = (byte) r.nextInt();
    }
    return Arrays.copyOf(b, header + payload);
  }

  @Test
  void sameBytesAsJitsiSrtpAndJitsiDecryptsThemAcrossASequenceWrap() throws Exception {
    SrtpProfile profile = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
    Random r = new Random(7);
    byte[] km = new byte[profile.keyingMaterialLength()];
    r.nextBytes(km);
    try (SrtpSession ours = new SrtpSession(profile, km, true);
        SrtpSession jitsi = new SrtpSession(profile, km, true);
        SrtpSession receiver = new SrtpSession(profile, km, false)) {
      // two SSRCs on one association share its session keys; each keeps its own rollover counter.
      // Across the 16-bit wrap (ROC 0 -> 1), a late retransmission from before it (ROC 0 again),
      // and a second wrap (ROC 2)
      int[] seqs = {65500, 65501, 65534, 65535, 0, 1, 2, 300, 65533, 301, 30000, 30001, 62000, 1000};
      int n = 0;
      for (int seq : seqs) {
        for (int ssrc : new int[] {0xCAFE0001, 0x00000007}) {
          int payload = n % 3 == 0 ? 0 : 1 + r.nextInt(400);
          byte[] plain = rtp(r, seq, ssrc, n % 4 == 1 ? 2 : 0, n % 2 == 0, payload);
          byte[] a = Arrays.copyOf(plain, plain.length + 16);
          byte[] b = Arrays.copyOf(plain, plain.length + 16);
          PacketBuffer pa = ours.protectRtp(new PacketBuffer(a, 0, plain.length));
          PacketBuffer pb = jitsi.protectRtpJitsi(new PacketBuffer(b, 0, plain.length), ssrc);
          byte[] wa = Arrays.copyOfRange(pa.getBuffer(), pa.getOffset(), pa.getOffset() + pa.getLength());
          byte[] wb = Arrays.copyOfRange(pb.getBuffer(), pb.getOffset(), pb.getOffset() + pb.getLength());
          assertThat(wa).as("packet %d (seq %d, SSRC %08x)", n, seq, ssrc).isEqualTo(wb);
          if (n == 5) { // a NACK answer right after its original: the same bytes again
            byte[] again = Arrays.copyOf(plain, plain.length + 16);
            PacketBuffer pr = ours.protectRtp(new PacketBuffer(again, 0, plain.length));
            assertThat(Arrays.copyOfRange(pr.getBuffer(), pr.getOffset(), pr.getOffset() + pr.getLength())).isEqualTo(wa);
          }
          if (seq != 65533) { // a late retransmission: jitsi's replay window refuses it, as it should
            PacketBuffer back;
            try {
              back = receiver.unprotectRtp(new PacketBuffer(wa.clone(), 0, wa.length));
            } catch (SrtpException e) {
              throw new AssertionError("jitsi refused packet " + n + " (seq " + seq + "): " + e.getMessage(), e);
            }
            assertThat(Arrays.copyOfRange(back.getBuffer(), back.getOffset(), back.getOffset() + back.getLength()))
                .isEqualTo(plain);
          }
          n++;
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void growsTheBufferForTheTagAndRejectsTruncatedHeaders(SrtpProfile profile) throws Exception {
    byte[] km = new byte[profile.keyingMaterialLength()];
    try (SrtpSession s = new SrtpSession(profile, km, true);
        SrtpSession receiver = new SrtpSession(profile, km, false)) {
      byte[] plain = rtp(new Random(1), 5, 9, 0, false, 20);
      PacketBuffer p = s.protectRtp(new PacketBuffer(plain.clone(), 0, plain.length)); // no spare room
      assertThat(p.getLength()).isEqualTo(plain.length + (profile == SrtpProfile.AEAD_AES_128_GCM ? 16 : 10));
      receiver.unprotectRtp(new PacketBuffer(Arrays.copyOfRange(p.getBuffer(), p.getOffset(),
          p.getOffset() + p.getLength()), 0, p.getLength()));

      byte[] ext = rtp(new Random(1), 6, 9, 0, true, 0);
      assertThatThrownBy(() -> s.protectRtp(new PacketBuffer(ext, 0, 14))).isInstanceOf(SrtpException.class);
      byte[] csrc = rtp(new Random(1), 7, 9, 15, false, 0);
      assertThatThrownBy(() -> s.protectRtp(new PacketBuffer(csrc, 0, 20))).isInstanceOf(SrtpException.class);
    }
  }
}
