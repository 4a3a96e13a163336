package com.parchchat.protocol.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.parchchat.protocol.stun.StunParseException.Reason;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table of malformed inputs and the typed reason each must give. */
class StunDecoderErrorTest {
  private static final String HDR = "2112a442" + "000102030405060708090a0b";

  /** A Binding request header with the given body length and body. */
  private static String msg(String bodyHex) {
    return String.format("0001%04x", bodyHex.length() / 2) + HDR + bodyHex;
  }

  static Stream<Arguments> badMessages() {
    return Stream.of(
        Arguments.of("empty", "", Reason.TOO_SHORT),
        Arguments.of("19 bytes", "00010000" + HDR.substring(0, 30), Reason.TOO_SHORT),
        Arguments.of("top bits 01 (ChannelData)", "40010000" + HDR, Reason.NOT_STUN),
        Arguments.of("top bits 10", "80010000" + HDR, Reason.NOT_STUN),
        Arguments.of("wrong cookie", "00010000" + "2112a443" + HDR.substring(8), Reason.BAD_MAGIC_COOKIE),
        Arguments.of("length not multiple of 4", "00010002" + HDR + "0000", Reason.LENGTH_NOT_MULTIPLE_OF_4),
        Arguments.of("length beyond datagram", "00010008" + HDR + "00000000", Reason.LENGTH_MISMATCH),
        Arguments.of("trailing bytes", "00010000" + HDR + "00000000", Reason.LENGTH_MISMATCH),
        Arguments.of("attribute length past end", msg("00060008" + "61626364"), Reason.ATTRIBUTE_TRUNCATED),
        Arguments.of("XOR-MAPPED-ADDRESS family 3", msg("00200008" + "0003a147e112a643"), Reason.BAD_ADDRESS_FAMILY),
        Arguments.of("XOR-MAPPED-ADDRESS IPv4 len 12", msg("0020000c" + "0001a147e112a64300000000"),
            Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("XOR-MAPPED-ADDRESS IPv6 len 8", msg("00200008" + "0002a147e112a643"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("MAPPED-ADDRESS len 2", msg("00010002" + "00010000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("MESSAGE-INTEGRITY len 16", msg("00080010" + "00".repeat(16)), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("MI-SHA256 len 12", msg("001c000c" + "00".repeat(12)), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("FINGERPRINT len 8", msg("80280008" + "00".repeat(8)), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("ERROR-CODE len 2", msg("00090002" + "00000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("ERROR-CODE class 7", msg("00090004" + "00000701"), Reason.BAD_ATTRIBUTE_VALUE),
        Arguments.of("ERROR-CODE number 100", msg("00090004" + "00000464"), Reason.BAD_ATTRIBUTE_VALUE),
        Arguments.of("UNKNOWN-ATTRIBUTES odd", msg("000a0003" + "00010200"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("USERNAME bad UTF-8", msg("00060002" + "c3280000"), Reason.BAD_UTF8),
        Arguments.of("USERNAME too long", msg("00060204" + "61".repeat(516)), Reason.VALUE_TOO_LONG),
        Arguments.of("PRIORITY len 2", msg("00240002" + "00010000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("USE-CANDIDATE len 4", msg("00250004" + "00000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("ICE-CONTROLLING len 4", msg("802a0004" + "00000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("CHANNEL-NUMBER len 2", msg("000c0002" + "40000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("LIFETIME len 8", msg("000d0008" + "00".repeat(8)), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("REQUESTED-TRANSPORT len 1", msg("00190001" + "11000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("EVEN-PORT len 4", msg("00180004" + "80000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("DONT-FRAGMENT len 4", msg("001a0004" + "00000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("RESERVATION-TOKEN len 4", msg("00220004" + "00000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("REQUESTED-ADDRESS-FAMILY len 8", msg("00170008" + "00".repeat(8)), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("ICMP len 4", msg("80040004" + "00000000"), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("USERHASH len 16", msg("001e0010" + "00".repeat(16)), Reason.BAD_ATTRIBUTE_LENGTH),
        Arguments.of("PASSWORD-ALGORITHM params past end", msg("001d0004" + "00010008"), Reason.ATTRIBUTE_TRUNCATED),
        Arguments.of("PASSWORD-ALGORITHMS truncated entry", msg("80020004" + "00010004"), Reason.ATTRIBUTE_TRUNCATED),
        Arguments.of("ADDRESS-ERROR-CODE class 2", msg("80010004" + "01000201"), Reason.BAD_ATTRIBUTE_VALUE),
        Arguments.of("too many attributes", msg("00250000".repeat(StunMessage.MAX_ATTRIBUTES + 1)),
            Reason.TOO_MANY_ATTRIBUTES));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badMessages")
  void badBytesGiveTypedReason(String name, String hex, Reason expected) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    StunParseException e = catchThrowableOfType(StunParseException.class, () -> StunMessage.decode(bytes));
    assertThat(e).as(name).isNotNull();
    assertThat(e.reason()).as(name).isEqualTo(expected);
  }

  static Stream<Arguments> badChannelData() {
    return Stream.of(
        Arguments.of("3 bytes", "400000", Reason.TOO_SHORT),
        Arguments.of("STUN bits", "00010000", Reason.NOT_CHANNEL_DATA),
        Arguments.of("top bits 11", "c0000000", Reason.NOT_CHANNEL_DATA),
        Arguments.of("length past end", "40000008" + "00000000", Reason.LENGTH_MISMATCH),
        Arguments.of("4 trailing bytes", "40000000" + "00000000", Reason.LENGTH_MISMATCH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badChannelData")
  void badChannelDataGivesTypedReason(String name, String hex, Reason expected) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    StunParseException e = catchThrowableOfType(StunParseException.class, () -> ChannelData.decode(bytes, 0, bytes.length));
    assertThat(e).as(name).isNotNull();
    assertThat(e.reason()).as(name).isEqualTo(expected);
  }
}
