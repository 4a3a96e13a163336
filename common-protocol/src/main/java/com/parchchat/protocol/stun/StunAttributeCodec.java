package com.parchchat.protocol.stun;

import static com.parchchat.protocol.stun.StunParseException.Reason.ATTRIBUTE_TRUNCATED;
import static com.parchchat.protocol.stun.StunParseException.Reason.BAD_ADDRESS_FAMILY;
import static com.parchchat.protocol.stun.StunParseException.Reason.BAD_ATTRIBUTE_LENGTH;
import static com.parchchat.protocol.stun.StunParseException.Reason.BAD_ATTRIBUTE_VALUE;
import static com.parchchat.protocol.stun.StunParseException.Reason.BAD_UTF8;
import static com.parchchat.protocol.stun.StunParseException.Reason.VALUE_TOO_LONG;

import com.parchchat.protocol.stun.StunAttribute.AdditionalAddressFamily;
import com.parchchat.protocol.stun.StunAttribute.AddressErrorCode;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.Data;
import com.parchchat.protocol.stun.StunAttribute.DontFragment;
import com.parchchat.protocol.stun.StunAttribute.ErrorCode;
import com.parchchat.protocol.stun.StunAttribute.EvenPort;
import com.parchchat.protocol.stun.StunAttribute.Fingerprint;
import com.parchchat.protocol.stun.StunAttribute.IceControlled;
import com.parchchat.protocol.stun.StunAttribute.IceControlling;
import com.parchchat.protocol.stun.StunAttribute.Icmp;
import com.parchchat.protocol.stun.StunAttribute.Lifetime;
import com.parchchat.protocol.stun.StunAttribute.MappedAddress;
import com.parchchat.protocol.stun.StunAttribute.MessageIntegrity;
import com.parchchat.protocol.stun.StunAttribute.MessageIntegritySha256;
import com.parchchat.protocol.stun.StunAttribute.Nonce;
import com.parchchat.protocol.stun.StunAttribute.PasswordAlgorithm;
import com.parchchat.protocol.stun.StunAttribute.PasswordAlgorithms;
import com.parchchat.protocol.stun.StunAttribute.Priority;
import com.parchchat.protocol.stun.StunAttribute.Realm;
import com.parchchat.protocol.stun.StunAttribute.RequestedAddressFamily;
import com.parchchat.protocol.stun.StunAttribute.RequestedTransport;
import com.parchchat.protocol.stun.StunAttribute.ReservationToken;
import com.parchchat.protocol.stun.StunAttribute.Software;
import com.parchchat.protocol.stun.StunAttribute.Unknown;
import com.parchchat.protocol.stun.StunAttribute.UnknownAttributes;
import com.parchchat.protocol.stun.StunAttribute.UseCandidate;
import com.parchchat.protocol.stun.StunAttribute.Userhash;
import com.parchchat.protocol.stun.StunAttribute.Username;
import com.parchchat.protocol.stun.StunAttribute.XorMappedAddress;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one place that maps attribute values to and from bytes. Decoding is handed exactly
 * the value bytes (the caller already checked that {@code off + len} is inside the
 * message), and every fixed-size attribute checks its length before it reads.
 */
final class StunAttributeCodec {
  static final int FAMILY_IPV4 = 0x01;
  static final int FAMILY_IPV6 = 0x02;

  private StunAttributeCodec() {}

  // ---- validation shared with the records' constructors ----

  static void checkAddress(InetSocketAddress a) {
    if (a == null || a.isUnresolved() || a.getAddress() == null) {
      throw new IllegalArgumentException("address must be a resolved IP socket address");
    }
  }

  static void checkText(String s, int maxBytes) {
    if (s == null) {
      throw new IllegalArgumentException("text attribute must not be null");
    }
    if (s.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      throw new IllegalArgumentException("text attribute longer than " + maxBytes + " bytes");
    }
  }

  static void checkU8(int v) {
    if (v < 0 || v > 0xFF) {
      throw new IllegalArgumentException("value is 8 bits: " + v);
    }
  }

  // ---- decoding ----

  static StunAttribute decode(int type, byte[] b, int off, int len, byte[] txId) throws StunParseException {
    switch (type) {
      case StunAttributeType.MAPPED_ADDRESS:
        return new MappedAddress(address(type, b, off, len, null));
      case StunAttributeType.XOR_MAPPED_ADDRESS:
        return new XorMappedAddress(address(type, b, off, len, txId));
      case StunAttributeType.XOR_PEER_ADDRESS:
        return new XorPeerAddress(address(type, b, off, len, txId));
      case StunAttributeType.XOR_RELAYED_ADDRESS:
        return new XorRelayedAddress(address(type, b, off, len, txId));
      case StunAttributeType.USERNAME:
        return new Username(text(type, b, off, len, StunAttribute.MAX_USERNAME_BYTES));
      case StunAttributeType.REALM:
        return new Realm(text(type, b, off, len, StunAttribute.MAX_TEXT_BYTES));
      case StunAttributeType.NONCE:
        return new Nonce(text(type, b, off, len, StunAttribute.MAX_TEXT_BYTES));
      case StunAttributeType.SOFTWARE:
        return new Software(text(type, b, off, len, StunAttribute.MAX_TEXT_BYTES));
      case StunAttributeType.ERROR_CODE:
        return errorCode(b, off, len);
      case StunAttributeType.UNKNOWN_ATTRIBUTES:
        return unknownAttributes(b, off, len);
      case StunAttributeType.MESSAGE_INTEGRITY:
        exact(type, len, 20);
        return new MessageIntegrity(Arrays.copyOfRange(b, off, off + len));
      case StunAttributeType.MESSAGE_INTEGRITY_SHA256:
        if (len < 16 || len > 32 || len % 4 != 0) {
          throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
        }
        return new MessageIntegritySha256(Arrays.copyOfRange(b, off, off + len));
      case StunAttributeType.FINGERPRINT:
        exact(type, len, 4);
        return new Fingerprint(ByteWriter.u32(b, off));
      case StunAttributeType.USERHASH:
        exact(type, len, 32);
        return new Userhash(Arrays.copyOfRange(b, off, off + len));
      case StunAttributeType.PASSWORD_ALGORITHM:
        return passwordAlgorithm(b, off, len, true);
      case StunAttributeType.PASSWORD_ALGORITHMS:
        return passwordAlgorithms(b, off, len);
      case StunAttributeType.PRIORITY:
        exact(type, len, 4);
        return new Priority(ByteWriter.u32(b, off) & 0xFFFFFFFFL);
      case StunAttributeType.USE_CANDIDATE:
        exact(type, len, 0);
        return new UseCandidate();
      case StunAttributeType.ICE_CONTROLLED:
        exact(type, len, 8);
        return new IceControlled(ByteWriter.u64(b, off));
      case StunAttributeType.ICE_CONTROLLING:
        exact(type, len, 8);
        return new IceControlling(ByteWriter.u64(b, off));
      case StunAttributeType.CHANNEL_NUMBER:
        exact(type, len, 4);
        return new ChannelNumber(ByteWriter.u16(b, off));
      case StunAttributeType.LIFETIME:
        exact(type, len, 4);
        return new Lifetime(ByteWriter.u32(b, off) & 0xFFFFFFFFL);
      case StunAttributeType.DATA:
        if (len > 0xFFFF - 24) { // the bound of Data(): a 64 KiB TCP frame could carry more
          throw bad(VALUE_TOO_LONG, type, len);
        }
        return new Data(Arrays.copyOfRange(b, off, off + len));
      case StunAttributeType.REQUESTED_ADDRESS_FAMILY:
        exact(type, len, 4);
        return new RequestedAddressFamily(b[off] & 0xFF);
      case StunAttributeType.ADDITIONAL_ADDRESS_FAMILY:
        exact(type, len, 4);
        return new AdditionalAddressFamily(b[off] & 0xFF);
      case StunAttributeType.EVEN_PORT:
        exact(type, len, 1);
        return new EvenPort((b[off] & 0x80) != 0);
      case StunAttributeType.REQUESTED_TRANSPORT:
        exact(type, len, 4);
        return new RequestedTransport(b[off] & 0xFF);
      case StunAttributeType.DONT_FRAGMENT:
        exact(type, len, 0);
        return new DontFragment();
      case StunAttributeType.RESERVATION_TOKEN:
        exact(type, len, 8);
        return new ReservationToken(Arrays.copyOfRange(b, off, off + len));
      case StunAttributeType.ADDRESS_ERROR_CODE:
        return addressErrorCode(b, off, len);
      case StunAttributeType.ICMP:
        exact(type, len, 8);
        return new Icmp(b[off + 2] & 0xFF, b[off + 3] & 0xFF, ByteWriter.u32(b, off + 4));
      default:
        return new Unknown(type, Arrays.copyOfRange(b, off, off + len));
    }
  }

  private static StunParseException bad(StunParseException.Reason r, int type, int len) {
    return new StunParseException(r, String.format("attribute 0x%04x with length %d", type, len));
  }

  private static void exact(int type, int len, int expected) throws StunParseException {
    if (len != expected) {
      throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
    }
  }

  private static InetSocketAddress address(int type, byte[] b, int off, int len, byte[] txId)
      throws StunParseException {
    if (len < 4) {
      throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
    }
    int family = b[off + 1] & 0xFF;
    int port = ByteWriter.u16(b, off + 2);
    byte[] addr;
    if (family == FAMILY_IPV4) {
      exact(type, len, 8);
      addr = Arrays.copyOfRange(b, off + 4, off + 8);
    } else if (family == FAMILY_IPV6) {
      exact(type, len, 20);
      addr = Arrays.copyOfRange(b, off + 4, off + 20);
    } else {
      throw bad(BAD_ADDRESS_FAMILY, type, len);
    }
    if (txId != null) {
      port ^= StunMessage.MAGIC_COOKIE >>> 16;
      xorAddress(addr, txId);
    }
    try {
      InetAddress ip = family == FAMILY_IPV4 ? InetAddress.getByAddress(addr) : Inet6Address.getByAddress(null, addr, -1);
      return new InetSocketAddress(ip, port);
    } catch (UnknownHostException e) {
      throw bad(BAD_ATTRIBUTE_VALUE, type, len);
    }
  }

  private static void xorAddress(byte[] addr, byte[] txId) {
    int cookie = StunMessage.MAGIC_COOKIE;
    for (int i = 0; i < addr.length; i++) {
      int k = i < 4 ? (cookie >>> (24 - 8 * i)) & 0xFF : txId[i - 4] & 0xFF;
      addr[i] ^= (byte) k;
    }
  }

  private static String text(int type, byte[] b, int off, int len, int max) throws StunParseException {
    if (len > max) {
      throw bad(VALUE_TOO_LONG, type, len);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, off, len))
          .toString();
    } catch (CharacterCodingException e) {
      throw bad(BAD_UTF8, type, len);
    }
  }

  private static ErrorCode errorCode(byte[] b, int off, int len) throws StunParseException {
    int type = StunAttributeType.ERROR_CODE;
    if (len < 4) {
      throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
    }
    int code = errorNumber(type, b, off, len);
    return new ErrorCode(code, text(type, b, off + 4, len - 4, StunAttribute.MAX_TEXT_BYTES));
  }

  private static int errorNumber(int type, byte[] b, int off, int len) throws StunParseException {
    int cls = b[off + 2] & 0x07;
    int number = b[off + 3] & 0xFF;
    if (cls < 3 || cls > 6 || number > 99) {
      throw bad(BAD_ATTRIBUTE_VALUE, type, len);
    }
    return cls * 100 + number;
  }

  private static AddressErrorCode addressErrorCode(byte[] b, int off, int len) throws StunParseException {
    int type = StunAttributeType.ADDRESS_ERROR_CODE;
    if (len < 4) {
      throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
    }
    int code = errorNumber(type, b, off, len);
    return new AddressErrorCode(b[off] & 0xFF, code, text(type, b, off + 4, len - 4, StunAttribute.MAX_TEXT_BYTES));
  }

  private static UnknownAttributes unknownAttributes(byte[] b, int off, int len) throws StunParseException {
    if (len % 2 != 0) {
      throw bad(BAD_ATTRIBUTE_LENGTH, StunAttributeType.UNKNOWN_ATTRIBUTES, len);
    }
    List<Integer> types = new ArrayList<>(len / 2);
    for (int i = 0; i < len; i += 2) {
      types.add(ByteWriter.u16(b, off + i));
    }
    return new UnknownAttributes(types);
  }

  /** Reads one algorithm entry; with {@code whole} the entry must fill the value exactly (after padding). */
  private static PasswordAlgorithm passwordAlgorithm(byte[] b, int off, int len, boolean whole)
      throws StunParseException {
    int type = StunAttributeType.PASSWORD_ALGORITHM;
    if (len < 4) {
      throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
    }
    int paramLen = ByteWriter.u16(b, off + 2);
    if (paramLen > len - 4) {
      throw bad(ATTRIBUTE_TRUNCATED, type, len);
    }
    if (whole && paramLen != len - 4) {
      throw bad(BAD_ATTRIBUTE_LENGTH, type, len);
    }
    return new PasswordAlgorithm(ByteWriter.u16(b, off), Arrays.copyOfRange(b, off + 4, off + 4 + paramLen));
  }

  private static PasswordAlgorithms passwordAlgorithms(byte[] b, int off, int len) throws StunParseException {
    List<PasswordAlgorithm> list = new ArrayList<>();
    int p = off;
    int end = off + len;
    while (p < end) {
      PasswordAlgorithm a = passwordAlgorithm(b, p, end - p, false);
      p += 4 + pad(a.parameters().length);
      if (p > end) {
        throw bad(ATTRIBUTE_TRUNCATED, StunAttributeType.PASSWORD_ALGORITHMS, len);
      }
      list.add(a);
    }
    return new PasswordAlgorithms(list);
  }

  static int pad(int n) {
    return (n + 3) & ~3;
  }

  // ---- encoding ----

  /** Writes the value bytes (no header, no padding). */
  static void encodeValue(StunAttribute a, ByteWriter w, byte[] txId) {
    if (a instanceof MappedAddress m) {
      writeAddress(w, m.address(), null);
    } else if (a instanceof XorMappedAddress x) {
      writeAddress(w, x.address(), txId);
    } else if (a instanceof XorPeerAddress x) {
      writeAddress(w, x.address(), txId);
    } else if (a instanceof XorRelayedAddress x) {
      writeAddress(w, x.address(), txId);
    } else if (a instanceof Username u) {
      w.bytes(u.value().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof Realm r) {
      w.bytes(r.value().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof Nonce n) {
      w.bytes(n.value().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof Software s) {
      w.bytes(s.value().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof ErrorCode e) {
      w.u16(0);
      w.u8(e.code() / 100);
      w.u8(e.code() % 100);
      w.bytes(e.reason().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof UnknownAttributes u) {
      for (int t : u.types()) {
        w.u16(t);
      }
    } else if (a instanceof MessageIntegrity m) {
      w.bytes(m.hmac());
    } else if (a instanceof MessageIntegritySha256 m) {
      w.bytes(m.hmac());
    } else if (a instanceof Fingerprint f) {
      w.u32(f.value());
    } else if (a instanceof Userhash u) {
      w.bytes(u.hash());
    } else if (a instanceof PasswordAlgorithm p) {
      writeAlgorithm(w, p, false);
    } else if (a instanceof PasswordAlgorithms ps) {
      for (PasswordAlgorithm p : ps.algorithms()) {
        writeAlgorithm(w, p, true);
      }
    } else if (a instanceof Priority p) {
      w.u32((int) p.priority());
    } else if (a instanceof UseCandidate || a instanceof DontFragment) {
      // no value
    } else if (a instanceof IceControlled c) {
      w.u64(c.tieBreaker());
    } else if (a instanceof IceControlling c) {
      w.u64(c.tieBreaker());
    } else if (a instanceof ChannelNumber c) {
      w.u16(c.channel());
      w.u16(0);
    } else if (a instanceof Lifetime l) {
      w.u32((int) l.seconds());
    } else if (a instanceof Data d) {
      w.bytes(d.value());
    } else if (a instanceof RequestedAddressFamily f) {
      w.u8(f.family());
      w.zeros(3);
    } else if (a instanceof AdditionalAddressFamily f) {
      w.u8(f.family());
      w.zeros(3);
    } else if (a instanceof EvenPort e) {
      w.u8(e.reserve() ? 0x80 : 0);
    } else if (a instanceof RequestedTransport t) {
      w.u8(t.protocol());
      w.zeros(3);
    } else if (a instanceof ReservationToken t) {
      w.bytes(t.token());
    } else if (a instanceof AddressErrorCode e) {
      w.u8(e.family());
      w.u8(0);
      w.u8(e.code() / 100);
      w.u8(e.code() % 100);
      w.bytes(e.reason().getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof Icmp i) {
      w.u16(0);
      w.u8(i.icmpType());
      w.u8(i.icmpCode());
      w.u32(i.errorData());
    } else if (a instanceof Unknown u) {
      w.bytes(u.value());
    } else {
      throw new IllegalStateException("unhandled attribute " + a.getClass());
    }
  }

  private static void writeAlgorithm(ByteWriter w, PasswordAlgorithm p, boolean padded) {
    byte[] params = p.parameters();
    w.u16(p.algorithm());
    w.u16(params.length);
    w.bytes(params);
    if (padded) {
      w.zeros(pad(params.length) - params.length);
    }
  }

  private static void writeAddress(ByteWriter w, InetSocketAddress a, byte[] txId) {
    InetAddress ip = a.getAddress();
    byte[] addr = ip.getAddress();
    int port = a.getPort();
    w.u8(0);
    w.u8(ip instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6);
    if (txId != null) {
      port ^= StunMessage.MAGIC_COOKIE >>> 16;
      xorAddress(addr, txId);
    }
    w.u16(port);
    w.bytes(addr);
  }
}
