package com.parchchat.protocol.stun;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * A decoded STUN attribute (RFC 8489 §14). Every attribute is a TLV padded to 4 bytes:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Value (variable)                ....
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Each record below is one attribute type; its javadoc names the defining section. Values
 * are validated in the compact constructors, so an encoder never writes an attribute a
 * decoder would refuse. Attributes this codec does not know decode to {@link Unknown}.
 * Wire encoding and decoding live in one place, {@code StunAttributeCodec}.
 */
public sealed interface StunAttribute {
  /** Longest USERNAME value in bytes (RFC 8489 §14.3: "MUST contain less than 509 bytes"; we allow 512). */
  int MAX_USERNAME_BYTES = 512;
  /** Longest REALM, NONCE, SOFTWARE, reason phrase (RFC 8489: less than 128 characters, at most 763 bytes). */
  int MAX_TEXT_BYTES = 763;

  /** The 16-bit attribute type code ({@link StunAttributeType}). */
  int type();

  /** MAPPED-ADDRESS, RFC 8489 §14.1 (family 0x01 IPv4 / 0x02 IPv6, port, address in clear). */
  record MappedAddress(InetSocketAddress address) implements StunAttribute {
    public MappedAddress {
      StunAttributeCodec.checkAddress(address);
    }

    @Override
    public int type() {
      return StunAttributeType.MAPPED_ADDRESS;
    }
  }

  /**
   * XOR-MAPPED-ADDRESS, RFC 8489 §14.2. Port is XORed with the top 16 bits of the magic
   * cookie; an IPv4 address with the cookie; an IPv6 address with cookie ‖ transaction id.
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |                X-Address (Variable)
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record XorMappedAddress(InetSocketAddress address) implements StunAttribute {
    public XorMappedAddress {
      StunAttributeCodec.checkAddress(address);
    }

    @Override
    public int type() {
      return StunAttributeType.XOR_MAPPED_ADDRESS;
    }
  }

  /** XOR-PEER-ADDRESS, RFC 8656 §18.3; same encoding as XOR-MAPPED-ADDRESS. */
  record XorPeerAddress(InetSocketAddress address) implements StunAttribute {
    public XorPeerAddress {
      StunAttributeCodec.checkAddress(address);
    }

    @Override
    public int type() {
      return StunAttributeType.XOR_PEER_ADDRESS;
    }
  }

  /** XOR-RELAYED-ADDRESS, RFC 8656 §18.5; same encoding as XOR-MAPPED-ADDRESS. */
  record XorRelayedAddress(InetSocketAddress address) implements StunAttribute {
    public XorRelayedAddress {
      StunAttributeCodec.checkAddress(address);
    }

    @Override
    public int type() {
      return StunAttributeType.XOR_RELAYED_ADDRESS;
    }
  }

  /** USERNAME, RFC 8489 §14.3: UTF-8, fewer than {@link #MAX_USERNAME_BYTES} bytes. */
  record Username(String value) implements StunAttribute {
    public Username {
      StunAttributeCodec.checkText(value, MAX_USERNAME_BYTES);
    }

    @Override
    public int type() {
      return StunAttributeType.USERNAME;
    }
  }

  /** REALM, RFC 8489 §14.9. */
  record Realm(String value) implements StunAttribute {
    public Realm {
      StunAttributeCodec.checkText(value, MAX_TEXT_BYTES);
    }

    @Override
    public int type() {
      return StunAttributeType.REALM;
    }
  }

  /** NONCE, RFC 8489 §14.10. */
  record Nonce(String value) implements StunAttribute {
    public Nonce {
      StunAttributeCodec.checkText(value, MAX_TEXT_BYTES);
    }

    @Override
    public int type() {
      return StunAttributeType.NONCE;
    }
  }

  /** SOFTWARE, RFC 8489 §14.14. */
  record Software(String value) implements StunAttribute {
    public Software {
      StunAttributeCodec.checkText(value, MAX_TEXT_BYTES);
    }

    @Override
    public int type() {
      return StunAttributeType.SOFTWARE;
    }
  }

  /**
   * ERROR-CODE, RFC 8489 §14.8; {@code code} is class × 100 + number, 300–699.
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |           Reserved, should be 0         |Class|     Number    |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |      Reason Phrase (variable)                                ..
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record ErrorCode(int code, String reason) implements StunAttribute {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHENTICATED = 401;
    public static final int FORBIDDEN = 403;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int ALLOCATION_MISMATCH = 437;
    public static final int STALE_NONCE = 438;
    public static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    public static final int WRONG_CREDENTIALS = 441;
    public static final int UNSUPPORTED_TRANSPORT_PROTOCOL = 442;
    public static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    public static final int ALLOCATION_QUOTA_REACHED = 486;
    public static final int ROLE_CONFLICT = 487;
    public static final int SERVER_ERROR = 500;
    public static final int INSUFFICIENT_CAPACITY = 508;

    public ErrorCode {
      if (code < 300 || code > 699) {
        throw new IllegalArgumentException("error code out of range 300-699: " + code);
      }
      StunAttributeCodec.checkText(reason, MAX_TEXT_BYTES);
    }

    /** The code with the RFC's recommended reason phrase. */
    public static ErrorCode of(int code) {
      return new ErrorCode(code, defaultReason(code));
    }

    public static String defaultReason(int code) {
      switch (code) {
        case TRY_ALTERNATE:
          return "Try Alternate";
        case BAD_REQUEST:
          return "Bad Request";
        case UNAUTHENTICATED:
          return "Unauthenticated";
        case FORBIDDEN:
          return "Forbidden";
        case UNKNOWN_ATTRIBUTE:
          return "Unknown Attribute";
        case ALLOCATION_MISMATCH:
          return "Allocation Mismatch";
        case STALE_NONCE:
          return "Stale Nonce";
        case ADDRESS_FAMILY_NOT_SUPPORTED:
          return "Address Family not Supported";
        case WRONG_CREDENTIALS:
          return "Wrong Credentials";
        case UNSUPPORTED_TRANSPORT_PROTOCOL:
          return "Unsupported Transport Protocol";
        case PEER_ADDRESS_FAMILY_MISMATCH:
          return "Peer Address Family Mismatch";
        case ALLOCATION_QUOTA_REACHED:
          return "Allocation Quota Reached";
        case ROLE_CONFLICT:
          return "Role Conflict";
        case SERVER_ERROR:
          return "Server Error";
        case INSUFFICIENT_CAPACITY:
          return "Insufficient Capacity";
        default:
          return "Error";
      }
    }

    @Override
    public int type() {
      return StunAttributeType.ERROR_CODE;
    }
  }

  /** UNKNOWN-ATTRIBUTES, RFC 8489 §14.13: list of 16-bit attribute types. */
  record UnknownAttributes(List<Integer> types) implements StunAttribute {
    public UnknownAttributes {
      types = List.copyOf(types);
      for (int t : types) {
        if (t < 0 || t > 0xFFFF) {
          throw new IllegalArgumentException("attribute type out of range: " + t);
        }
      }
    }

    @Override
    public int type() {
      return StunAttributeType.UNKNOWN_ATTRIBUTES;
    }
  }

  /** MESSAGE-INTEGRITY, RFC 8489 §14.5: 20-byte HMAC-SHA1. Build it with {@link StunMessage.Builder#integrity}. */
  record MessageIntegrity(byte[] hmac) implements StunAttribute {
    public MessageIntegrity {
      if (hmac.length != 20) {
        throw new IllegalArgumentException("HMAC-SHA1 is 20 bytes");
      }
      hmac = hmac.clone();
    }

    @Override
    public byte[] hmac() {
      return hmac.clone();
    }

    @Override
    public int type() {
      return StunAttributeType.MESSAGE_INTEGRITY;
    }
  }

  /** MESSAGE-INTEGRITY-SHA256, RFC 8489 §14.6: HMAC-SHA256, possibly truncated to 16–32 bytes (multiple of 4). */
  record MessageIntegritySha256(byte[] hmac) implements StunAttribute {
    public MessageIntegritySha256 {
      if (hmac.length < 16 || hmac.length > 32 || hmac.length % 4 != 0) {
        throw new IllegalArgumentException("HMAC-SHA256 value must be 16..32 bytes, multiple of 4");
      }
      hmac = hmac.clone();
    }

    @Override
    public byte[] hmac() {
      return hmac.clone();
    }

    @Override
    public int type() {
      return StunAttributeType.MESSAGE_INTEGRITY_SHA256;
    }
  }

  /** FINGERPRINT, RFC 8489 §14.7: CRC-32 of the message up to this attribute XOR 0x5354554E. */
  record Fingerprint(int value) implements StunAttribute {
    @Override
    public int type() {
      return StunAttributeType.FINGERPRINT;
    }
  }

  /** USERHASH, RFC 8489 §14.4: SHA-256(username ":" realm), 32 bytes. */
  record Userhash(byte[] hash) implements StunAttribute {
    public Userhash {
      if (hash.length != 32) {
        throw new IllegalArgumentException("USERHASH is 32 bytes");
      }
      hash = hash.clone();
    }

    @Override
    public byte[] hash() {
      return hash.clone();
    }

    @Override
    public int type() {
      return StunAttributeType.USERHASH;
    }
  }

  /**
   * PASSWORD-ALGORITHM, RFC 8489 §14.12 (1 = MD5, 2 = SHA-256).
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |          Algorithm           |  Algorithm Parameters Length   |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |                    Algorithm Parameters (variable)
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record PasswordAlgorithm(int algorithm, byte[] parameters) implements StunAttribute {
    public static final int MD5 = 0x0001;
    public static final int SHA256 = 0x0002;

    public PasswordAlgorithm {
      if (algorithm < 0 || algorithm > 0xFFFF || parameters.length > 0xFFFF - 8) {
        throw new IllegalArgumentException("bad PASSWORD-ALGORITHM");
      }
      parameters = parameters.clone();
    }

    @Override
    public byte[] parameters() {
      return parameters.clone();
    }

    @Override
    public int type() {
      return StunAttributeType.PASSWORD_ALGORITHM;
    }
  }

  /** PASSWORD-ALGORITHMS, RFC 8489 §14.11: a list of PASSWORD-ALGORITHM values, each padded. */
  record PasswordAlgorithms(List<PasswordAlgorithm> algorithms) implements StunAttribute {
    public PasswordAlgorithms {
      algorithms = List.copyOf(algorithms);
    }

    @Override
    public int type() {
      return StunAttributeType.PASSWORD_ALGORITHMS;
    }
  }

  /** PRIORITY, RFC 8445 §16.1: unsigned 32-bit candidate priority. */
  record Priority(long priority) implements StunAttribute {
    public Priority {
      if (priority < 0 || priority > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("priority is an unsigned 32-bit value");
      }
    }

    @Override
    public int type() {
      return StunAttributeType.PRIORITY;
    }
  }

  /** USE-CANDIDATE, RFC 8445 §16.1: no value. */
  record UseCandidate() implements StunAttribute {
    @Override
    public int type() {
      return StunAttributeType.USE_CANDIDATE;
    }
  }

  /** ICE-CONTROLLED, RFC 8445 §16.1: 64-bit tie-breaker. */
  record IceControlled(long tieBreaker) implements StunAttribute {
    @Override
    public int type() {
      return StunAttributeType.ICE_CONTROLLED;
    }
  }

  /** ICE-CONTROLLING, RFC 8445 §16.1: 64-bit tie-breaker. */
  record IceControlling(long tieBreaker) implements StunAttribute {
    @Override
    public int type() {
      return StunAttributeType.ICE_CONTROLLING;
    }
  }

  /**
   * CHANNEL-NUMBER, RFC 8656 §18.1 (valid channels 0x4000–0x4FFF; range checks are the
   * server's job so that it can answer 400).
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |        Channel Number         |         RFFU = 0              |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record ChannelNumber(int channel) implements StunAttribute {
    public ChannelNumber {
      if (channel < 0 || channel > 0xFFFF) {
        throw new IllegalArgumentException("channel number is 16 bits");
      }
    }

    @Override
    public int type() {
      return StunAttributeType.CHANNEL_NUMBER;
    }
  }

  /** LIFETIME, RFC 8656 §18.2: unsigned 32-bit seconds. */
  record Lifetime(long seconds) implements StunAttribute {
    public Lifetime {
      if (seconds < 0 || seconds > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("lifetime is an unsigned 32-bit value");
      }
    }

    @Override
    public int type() {
      return StunAttributeType.LIFETIME;
    }
  }

  /** DATA, RFC 8656 §18.4: the application payload of Send and Data indications. */
  record Data(byte[] value) implements StunAttribute {
    public Data {
      if (value.length > 0xFFFF - 24) {
        throw new IllegalArgumentException("DATA too long");
      }
    }

    @Override
    public int type() {
      return StunAttributeType.DATA;
    }
  }

  /**
   * REQUESTED-ADDRESS-FAMILY, RFC 8656 §18.6 (0x01 IPv4, 0x02 IPv6); the same layout is
   * used by ADDITIONAL-ADDRESS-FAMILY.
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |     Family    |            Reserved                           |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record RequestedAddressFamily(int family) implements StunAttribute {
    public RequestedAddressFamily {
      StunAttributeCodec.checkU8(family);
    }

    @Override
    public int type() {
      return StunAttributeType.REQUESTED_ADDRESS_FAMILY;
    }
  }

  /** ADDITIONAL-ADDRESS-FAMILY, RFC 8656 §18.11; layout of REQUESTED-ADDRESS-FAMILY. */
  record AdditionalAddressFamily(int family) implements StunAttribute {
    public AdditionalAddressFamily {
      StunAttributeCodec.checkU8(family);
    }

    @Override
    public int type() {
      return StunAttributeType.ADDITIONAL_ADDRESS_FAMILY;
    }
  }

  /**
   * EVEN-PORT, RFC 8656 §18.7: one byte, R bit = reserve the next port too.
   * <pre>
   *  0
   *  0 1 2 3 4 5 6 7
   * +-+-+-+-+-+-+-+-+
   * |R|    RFFU     |
   * +-+-+-+-+-+-+-+-+
   * </pre>
   */
  record EvenPort(boolean reserve) implements StunAttribute {
    @Override
    public int type() {
      return StunAttributeType.EVEN_PORT;
    }
  }

  /**
   * REQUESTED-TRANSPORT, RFC 8656 §18.8: an IANA protocol number (17 = UDP).
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |    Protocol   |                    RFFU                       |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record RequestedTransport(int protocol) implements StunAttribute {
    public static final int UDP = 17;
    public static final int TCP = 6;

    public RequestedTransport {
      StunAttributeCodec.checkU8(protocol);
    }

    @Override
    public int type() {
      return StunAttributeType.REQUESTED_TRANSPORT;
    }
  }

  /** DONT-FRAGMENT, RFC 8656 §18.9: no value. */
  record DontFragment() implements StunAttribute {
    @Override
    public int type() {
      return StunAttributeType.DONT_FRAGMENT;
    }
  }

  /** RESERVATION-TOKEN, RFC 8656 §18.10: 8 opaque bytes. */
  record ReservationToken(byte[] token) implements StunAttribute {
    public ReservationToken {
      if (token.length != 8) {
        throw new IllegalArgumentException("RESERVATION-TOKEN is 8 bytes");
      }
      token = token.clone();
    }

    @Override
    public byte[] token() {
      return token.clone();
    }

    @Override
    public int type() {
      return StunAttributeType.RESERVATION_TOKEN;
    }
  }

  /**
   * ADDRESS-ERROR-CODE, RFC 8656 §18.12.
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |  Family       |    Reserved             |Class|     Number    |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |      Reason Phrase (variable)                                ..
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record AddressErrorCode(int family, int code, String reason) implements StunAttribute {
    public AddressErrorCode {
      StunAttributeCodec.checkU8(family);
      if (code < 300 || code > 699) {
        throw new IllegalArgumentException("error code out of range 300-699: " + code);
      }
      StunAttributeCodec.checkText(reason, MAX_TEXT_BYTES);
    }

    @Override
    public int type() {
      return StunAttributeType.ADDRESS_ERROR_CODE;
    }
  }

  /**
   * ICMP, RFC 8656 §18.13.
   * <pre>
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |  Reserved                     |  ICMP Type  |  ICMP Code      |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |                          Error Data                           |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * </pre>
   */
  record Icmp(int icmpType, int icmpCode, int errorData) implements StunAttribute {
    public Icmp {
      StunAttributeCodec.checkU8(icmpType);
      StunAttributeCodec.checkU8(icmpCode);
    }

    @Override
    public int type() {
      return StunAttributeType.ICMP;
    }
  }

  /** Any attribute type this codec does not model; kept raw so servers can answer 420. */
  record Unknown(int type, byte[] value) implements StunAttribute {
    public Unknown {
      if (type < 0 || type > 0xFFFF) {
        throw new IllegalArgumentException("attribute type is 16 bits");
      }
      Objects.requireNonNull(value);
    }
  }
}
