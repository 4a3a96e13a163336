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
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the JSON envelope decoder {@link SignalCodec}.
 *
 * <p>The last input byte picks the frame family ({@code '0'} client→relay, {@code '1'}
 * relay→client, {@code '2'} host→relay, {@code '3'} relay→host, {@code '4'}/{@code '5'} client↔SFU,
 * {@code '6'}–{@code '8'} host API request/reply/event bodies, other bytes modulo 9); the bytes
 * before it are the frame, decoded from bytes and, for the four relay directions, also from text.
 * Choosing one family per input keeps the target fast (each failed decode builds a Jackson
 * exception) while the fuzzer still reaches all of them. The only failure allowed is
 * {@link ProtocolException} with an error code and a message; whatever decodes must survive
 * {@code decode(encode(x))} and come back equal. Seeds are the golden frames of
 * {@code docs/protocol.md}, each followed by its family digit.
 */
class SignalCodecFuzzTest {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final List<Class<?>> FAMILIES = List.of(ClientToRelay.class, RelayToClient.class,
      HostToRelay.class, RelayToHost.class, ClientToSfu.class, SfuToClient.class, HostRequest.class,
      HostReply.class, HostEvent.class);
  private static final int LAYER_1 = 4;

  @FuzzTest(maxDuration = "10s")
  void decode(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int family = Math.floorMod((input[input.length - 1] & 0xFF) - '0', FAMILIES.size());
    Class<?> type = FAMILIES.get(family);
    byte[] frame = Arrays.copyOf(input, input.length - 1);
    roundTrip(decodeBytes(frame, type), type);
    if (family < LAYER_1) {
      roundTrip(decodeText(new String(frame, StandardCharsets.UTF_8), type), type);
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
