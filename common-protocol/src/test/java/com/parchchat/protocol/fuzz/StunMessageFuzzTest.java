package com.parchchat.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunParseException;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the STUN/TURN message decoder (RFC 8489 §5, §14; RFC 8656 §18).
 *
 * <p>Invariants checked on every input: {@link StunMessage#decode} either returns a message or
 * throws {@link StunParseException} with a reason, nothing else; the integrity and fingerprint
 * checks never throw on a decoded message; and a decoded message re-encoded by the builder decodes
 * again to the same method, class, transaction id and attributes (byte-identical second encoding).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs only the seed corpus in
 * {@code StunMessageFuzzTestInputs/decode} (RFC 5769 samples, coturn captures, regressions).
 */
class StunMessageFuzzTest {
  private static final byte[] KEY = StunIntegrity.shortTermKey("VOkJxbRl1RmTxUk/WvJxBt");

  @FuzzTest(maxDuration = "10s")
  void decode(byte[] input) {
    StunMessage m;
    try {
      m = StunMessage.decode(input);
    } catch (StunParseException e) {
      Fuzz.check(e.reason() != null, "StunParseException without a reason");
      return;
    }
    Fuzz.check(StunMessage.isStun(input, 0, input.length), "decoded bytes that isStun() rejects");
    StunIntegrity.check(m, KEY);
    StunIntegrity.verifyFingerprint(m);
    m.unknownComprehensionRequired();
    m.toString();
    Fuzz.check(Arrays.equals(m.toBytes(), input), "toBytes() differs from the decoded bytes");

    byte[] once = reencode(m);
    StunMessage again;
    try {
      again = StunMessage.decode(once);
    } catch (StunParseException e) {
      throw new AssertionError("re-encoded message does not decode: " + e.getMessage(), e);
    }
    Fuzz.check(again.method() == m.method() && again.messageClass() == m.messageClass(), "type changed");
    Fuzz.check(Arrays.equals(again.transactionId(), m.transactionId()), "transaction id changed");
    Fuzz.check(again.attributes().size() == m.attributes().size(),
        "attribute count " + m.attributes().size() + " became " + again.attributes().size());
    Fuzz.check(Arrays.equals(reencode(again), once), "second encoding differs from the first");
  }

  private static byte[] reencode(StunMessage m) {
    StunMessage.Builder b = StunMessage.builder(m.method(), m.messageClass(), m.transactionId());
    for (StunAttribute a : m.attributes()) {
      b.add(a);
    }
    return b.encode();
  }
}
