package com.parchchat.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.protocol.stun.StunFraming;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunParseException;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of ChannelData (RFC 8656 §12.4) and of TURN stream framing (RFC 8656
 * §12.5, RFC 8489 §6.2.2).
 *
 * <p>Each input is used twice: as one UDP datagram for {@link ChannelData#decode} (which must
 * return or throw {@link StunParseException}; a decoded message must survive
 * {@code decode(encode(x))} with and without TCP padding), and as a TCP byte stream that is cut
 * into frames with {@link StunFraming#frameLength} exactly as the TURN server's frame decoder
 * does, each complete frame then decoded as STUN or ChannelData.
 */
class ChannelDataFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void decode(byte[] input) {
    datagram(input);
    stream(input);
  }

  private static void datagram(byte[] input) {
    ChannelData cd;
    try {
      cd = ChannelData.decode(input, 0, input.length);
    } catch (StunParseException e) {
      Fuzz.check(e.reason() != null, "StunParseException without a reason");
      return;
    }
    Fuzz.check(ChannelData.isChannelData(input, 0, input.length), "decoded bytes that isChannelData() rejects");
    for (boolean padded : new boolean[] {false, true}) {
      byte[] encoded = cd.encode(padded);
      Fuzz.check(encoded.length == ChannelData.encodedLength(cd.data().length, padded), "encodedLength() is wrong");
      ChannelData back;
      try {
        back = ChannelData.decode(encoded, 0, encoded.length);
      } catch (StunParseException e) {
        throw new AssertionError("encoded ChannelData (padded=" + padded + ") does not decode: " + e.getMessage(), e);
      }
      Fuzz.check(back.channel() == cd.channel(), "channel changed");
      Fuzz.check(Arrays.equals(back.data(), cd.data()), "data changed");
    }
  }

  /** Splits {@code input} as a TURN-over-TCP stream; an incomplete tail frame is simply left over. */
  private static void stream(byte[] input) {
    int p = 0;
    while (input.length - p >= StunFraming.PREFIX_LENGTH) {
      int frame;
      try {
        frame = StunFraming.frameLength(input[p], input[p + 1], input[p + 2], input[p + 3]);
      } catch (StunParseException e) {
        Fuzz.check(e.reason() == StunParseException.Reason.NOT_STUN, "unexpected framing reason " + e.reason());
        return;
      }
      Fuzz.check(frame >= StunFraming.PREFIX_LENGTH, "frame shorter than its prefix: " + frame);
      if (frame > input.length - p) {
        return;
      }
      try {
        if ((input[p] & 0xC0) == 0) {
          StunMessage.decode(input, p, frame);
        } else {
          ChannelData.decode(input, p, frame);
        }
      } catch (StunParseException e) {
        Fuzz.check(e.reason() != null, "StunParseException without a reason");
      }
      p += frame;
    }
  }
}
