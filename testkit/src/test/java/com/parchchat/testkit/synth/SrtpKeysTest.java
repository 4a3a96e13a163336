package com.parchchat.testkit.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both ends of one DTLS-SRTP key export: what the client side protects, the mirrored side accepts once. */
class SrtpKeysTest {

  private static Buf rtp(int seq) {
    Buf b = new Buf(256);
    byte[] d = b.getBuffer();
    d[0] = (byte) 0x80;
    d[1] = 111;
    d[2] = (byte) (seq >> 8);
    d[3] = (byte) seq;
    Buf.put32(d, 4, 960 * seq);
    Buf.put32(d, 8, 0x11223344);
    for (int i = 12; i < 92; i++) {
      d[i] = (byte) (i * 7 + seq);
    }
    return b.set(0, 92);
  }

  private static byte[] material(int profile, long seed) {
    byte[] m = new byte[SrtpKeys.materialLength(profile)];
    new Random(seed).nextBytes(m);
    return m;
  }

  private static Buf copy(Buf b) {
    Buf c = new Buf(256);
    System.arraycopy(b.getBuffer(), b.getOffset(), c.getBuffer(), 0, b.getLength());
    return c.set(0, b.getLength());
  }

  @ParameterizedTest
  @ValueSource(ints = {DtlsSrtpClient.SRTP_AES128_CM_SHA1_80, DtlsSrtpClient.SRTP_AEAD_AES_128_GCM})
  void theMirroredSideDecryptsOnceAndRefusesReplaysAndTampering(int profile) throws Exception {
    byte[] material = material(profile, 7);
    SrtpKeys client = new SrtpKeys(profile, material, true);
    SrtpKeys server = new SrtpKeys(profile, material, false);

    Buf plain = rtp(1);
    byte[] expected = Arrays.copyOfRange(plain.getBuffer(), 0, 92);
    Buf wire = rtp(1);
    int len = client.protect(wire);
    assertThat(len).isGreaterThan(92);
    assertThat(Arrays.copyOfRange(wire.getBuffer(), 12, 92)).isNotEqualTo(Arrays.copyOfRange(expected, 12, 92));
    Buf replay = copy(wire);

    assertThat(server.unprotect(wire)).isTrue();
    assertThat(Arrays.copyOfRange(wire.getBuffer(), wire.getOffset(), wire.getOffset() + wire.getLength()))
        .isEqualTo(expected);
    assertThat(server.unprotect(replay)).as("replayed packet").isFalse();

    Buf tampered = rtp(2);
    client.protect(tampered);
    tampered.getBuffer()[20] ^= 1;
    assertThat(server.unprotect(tampered)).as("tampered packet").isFalse();

    // keys of another association do not authenticate
    byte[] other = material.clone();
    other[0] ^= 1;
    Buf foreign = rtp(3);
    new SrtpKeys(profile, other, true).protect(foreign);
    assertThat(server.unprotect(foreign)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {DtlsSrtpClient.SRTP_AES128_CM_SHA1_80, DtlsSrtpClient.SRTP_AEAD_AES_128_GCM})
  void srtcpAddsTheIndexAndTag(int profile) throws Exception {
    SrtpKeys client = new SrtpKeys(profile, material(profile, 8), true);
    Buf nack = new Buf(80);
    byte[] d = nack.getBuffer();
    d[0] = (byte) 0x81;
    d[1] = (byte) 205;
    d[3] = 3;
    Buf.put32(d, 4, 0x5EED0001);
    Buf.put32(d, 8, 0x11223344);
    d[12] = 0x12;
    d[13] = 0x34;
    nack.set(0, 16);
    int len = client.protectRtcp(nack);
    // RFC 3711 §3.4: E flag + 31-bit index after the (encrypted) packet, then the tag (10 bytes for
    // HMAC-SHA1-80); RFC 7714 §9: AEAD tag of 16 bytes before the index
    assertThat(len).isEqualTo(profile == DtlsSrtpClient.SRTP_AEAD_AES_128_GCM ? 16 + 16 + 4 : 16 + 4 + 10);
    assertThat(d[0]).isEqualTo((byte) 0x81);
    assertThat(Buf.int32(d, 4)).isEqualTo(0x5EED0001);
  }
}
