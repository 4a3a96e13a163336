package com.parchchat.protocol.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutation testing of the decoders: whatever the bytes, the only exception
 * allowed out is {@link StunParseException}. Runs a fixed number of cases (no wall-clock
 * bound, so a failure reproduces from the seed): 2 million inputs, 5–30 s on a busy 2-core machine.
 */
class StunFuzzTest {
  private static final long SEED = 0x5EED_2026L;
  private static final int RANDOM_CASES = 700_000;
  private static final int MUTATION_CASES = 1_300_000;

  private long decoded;
  private long rejected;

  private void feed(byte[] b, int len) {
    try {
      StunMessage m = StunMessage.decode(b, 0, len);
      decoded++;
      // exercise the checks on whatever decoded, too
      StunIntegrity.check(m, new byte[] {1, 2, 3});
      StunIntegrity.verifyFingerprint(m);
      m.unknownComprehensionRequired();
    } catch (StunParseException e) {
      rejected++;
      assertThat(e.reason()).isNotNull();
    }
    try {
      ChannelData.decode(b, 0, len);
    } catch (StunParseException e) {
      assertThat(e.reason()).isNotNull();
    }
    if (len >= 4) {
      try {
        StunFraming.frameLength(b[0], b[1], b[2], b[3]);
      } catch (StunParseException e) {
        assertThat(e.reason()).isEqualTo(StunParseException.Reason.NOT_STUN);
      }
    }
  }

  @Test
  void randomBytesOnlyGiveTypedErrors() {
    SplittableRandom r = new SplittableRandom(SEED);
    byte[] buf = new byte[256];
    for (int i = 0; i < RANDOM_CASES; i++) {
      int len = r.nextInt(buf.length + 1);
      for (int j = 0; j < len; j++) {
        buf[j] = (byte) r.nextInt(256);
      }
      if (len >= 8 && r.nextBoolean()) { // make many of them get past the header checks
        buf[0] &= 0x3F;
        buf[2] = (byte) ((len - 20) >>> 8);
        buf[3] = (byte) (len - 20);
        buf[4] = 0x21;
        buf[5] = 0x12;
        buf[6] = (byte) 0xA4;
        buf[7] = 0x42;
      }
      feed(buf, len);
    }
    assertThat(rejected).isPositive();
  }

  @Test
  void mutatedValidMessagesOnlyGiveTypedErrors() {
    List<byte[]> seeds = new ArrayList<>(List.of(
        Rfc5769VectorsTest.SAMPLE_REQUEST,
        Rfc5769VectorsTest.SAMPLE_IPV4_RESPONSE,
        Rfc5769VectorsTest.SAMPLE_IPV6_RESPONSE,
        Rfc5769VectorsTest.SAMPLE_LONG_TERM_REQUEST));
    seeds.add(StunCodecRoundTripTest.everyAttributeMessage());
    SplittableRandom r = new SplittableRandom(SEED + 1);
    byte[] buf = new byte[1024];
    for (int i = 0; i < MUTATION_CASES; i++) {
      byte[] seed = seeds.get(r.nextInt(seeds.size()));
      int len = seed.length;
      System.arraycopy(seed, 0, buf, 0, len);
      int flips = 1 + r.nextInt(4);
      for (int f = 0; f < flips; f++) {
        int kind = r.nextInt(4);
        int at = r.nextInt(len);
        if (kind == 0) {
          buf[at] = (byte) r.nextInt(256);
        } else if (kind == 1) {
          buf[at] ^= (byte) (1 << r.nextInt(8));
        } else if (kind == 2) {
          len = r.nextInt(len + 1); // truncate
          if (len == 0) {
            break;
          }
        } else if (len + 4 <= buf.length) { // grow with junk
          for (int j = 0; j < 4; j++) {
            buf[len + j] = (byte) r.nextInt(256);
          }
          len += 4;
        }
      }
      feed(buf, len);
    }
    assertThat(decoded).isPositive();
    assertThat(rejected).isPositive();
  }
}
