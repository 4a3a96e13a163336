package com.parchchat.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Coverage-guided fuzzing of the JSON envelope decoder {@link SignalCodec}.
 *
 * <p>Every input is decoded as each of the four layer-1 directions (client→relay, relay→client,
 * host→relay, relay→host) from bytes and from text, and from bytes as the SFU signalling
 * directions and the layer-2 host API bodies. The only failure allowed is {@link ProtocolException}
 * with an error code and a message; whatever decodes must survive {@code decode(encode(x))} and
 * come back equal. Seeds are the golden frames of {@code docs/protocol.md}.
 */
class SignalCodecFuzzTest {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final List<Class<?>> LAYER_1 =
      List.of(ClientToRelay.class, RelayToClient.class, HostToRelay.class, RelayToHost.class);
  private static final List<Class<?>> OTHERS =
      List.of(ClientToSfu.class, SfuToClient.class, HostRequest.class, HostReply.class, HostEvent.class);

  @FuzzTest(maxDuration = "10s")
  void decode(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    for (Class<?> type : LAYER_1) {
      roundTrip(decodeBytes(input, type), type);
      roundTrip(decodeText(text, type), type);
    }
    for (Class<?> type : OTHERS) {
      roundTrip(decodeBytes(input, type), type);
    }
  }

  private static Object decodeBytes(byte[] input, Class<?> type) {
    try {
      return CODEC.decode(input, type);
    } catch (ProtocolException e) {
      checkTyped(e);
      return null;
    }
  }

  private static Object decodeText(String input, Class<?> type) {
    try {
      return CODEC.decode(input, type);
    } catch (ProtocolException e) {
      checkTyped(e);
      return null;
    }
  }

  private static void checkTyped(ProtocolException e) {
    Fuzz.check(e.code() != null && e.getMessage() != null && !e.getMessage().isEmpty(),
        "ProtocolException without code or message");
  }

  private static void roundTrip(Object value, Class<?> type) {
    if (value == null) {
      return;
    }
    Fuzz.check(type.isInstance(value), "decoded a " + value.getClass() + " as " + type);
    byte[] encoded = CODEC.encodeUtf8(value);
    if (encoded.length > CODEC.maxBytesFor(type)) {
      return; // defaults filled in by the decoder can push a frame at the limit over it
    }
    Object back;
    try {
      back = CODEC.decode(encoded, type);
    } catch (ProtocolException e) {
      throw new AssertionError("re-encoded " + type.getSimpleName() + " does not decode: " + e.getMessage()
          + "\n" + new String(encoded, StandardCharsets.UTF_8), e);
    }
    Fuzz.check(value.equals(back), "decode(encode(x)) != x for " + type.getSimpleName() + ": " + value
        + " became " + back);
  }
}
