package com.parchchat.turn.allocation;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which peer addresses a client may open permissions and channels to (RFC 8656 §9.2 "The
 * server MAY impose restrictions on the IP address allowed in the XOR-PEER-ADDRESS
 * attribute"; §21 security). Refused by default, so the relay cannot be aimed at the
 * server's own host or LAN: loopback, RFC 1918 / CGNAT / unique-local, link-local,
 * unspecified, multicast and broadcast. Loopback and private ranges can be allowed by config.
 */
public final class PeerPolicy {
  private final boolean allowLoopback;
  private final boolean allowPrivate;

  public PeerPolicy(boolean allowLoopback, boolean allowPrivate) {
    this.allowLoopback = allowLoopback;
    this.allowPrivate = allowPrivate;
  }

  public boolean isAllowed(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isMulticastAddress() || a.isLinkLocalAddress()) {
      return false;
    }
    if (a.isLoopbackAddress()) {
      return allowLoopback;
    }
    if (a instanceof Inet4Address) {
      byte[] b = a.getAddress();
      int b0 = b[0] & 0xFF;
      int b1 = b[1] & 0xFF;
      if (b0 == 0 || (b0 == 255 && b1 == 255 && (b[2] & 0xFF) == 255 && (b[3] & 0xFF) == 255) || b0 >= 240) {
        return false; // "this network", broadcast, reserved
      }
      if (isPrivate4(b0, b1)) {
        return allowPrivate;
      }
      return true;
    }
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      if (isV4Mapped(b)) {
        return false; // never relay to v4 through a v6-mapped disguise
      }
      if ((b[0] & 0xFE) == 0xFC || a.isSiteLocalAddress()) {
        return allowPrivate; // fc00::/7 unique local, deprecated fec0::/10
      }
      return true;
    }
    return false;
  }

  private static boolean isPrivate4(int b0, int b1) {
    return b0 == 10
        || (b0 == 172 && b1 >= 16 && b1 <= 31)
        || (b0 == 192 && b1 == 168)
        || (b0 == 100 && b1 >= 64 && b1 <= 127);
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
  }
}
