package com.parchchat.relay.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Config key {@code limits.trustedProxies}: the reverse proxies (IP addresses or CIDR ranges)
 * whose {@code X-Forwarded-For} header the relay believes when it applies per-IP limits. Empty by
 * default: the header is then ignored and the TCP peer address counts.
 *
 * <p>When the TCP peer is a trusted proxy, the header's addresses (every {@code X-Forwarded-For}
 * line, in order) are walked from the right — the hop nearest to the relay — skipping trusted
 * proxies; the first address that is not a trusted proxy is the client. Everything to its left was
 * written by that untrusted client and is never believed. If every listed address is a trusted
 * proxy, the left-most one counts; an entry that is not an IP address stops the walk at the hop
 * that forwarded it. A peer that is not a trusted proxy cannot influence the result at all.
 * Addresses are parsed as literals only (no DNS).
 */
public final class TrustedProxies {
  public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

  private final List<String> entries;
  private final List<IpSubnetFilterRule> rules;

  private TrustedProxies(List<String> entries, List<IpSubnetFilterRule> rules) {
    this.entries = entries;
    this.rules = rules;
  }

  /** Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}; throws naming the config key. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static TrustedProxies of(List<String> entries) {
    if (entries == null || entries.isEmpty()) {
      return NONE;
    }
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    for (String raw : entries) {
      if (raw == null || raw.isBlank()) {
        throw bad(raw, "empty entry");
      }
      String entry = raw.trim();
      int slash = entry.indexOf('/');
      String ip = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress address = literal(ip);
      if (address == null) {
        throw bad(entry, "not an IP address");
      }
      int bits = address instanceof Inet4Address ? 32 : 128;
      int prefix = bits;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw bad(entry, "the prefix length is not a number");
        }
        if (prefix < 0 || prefix > bits) {
          throw bad(entry, "the prefix length must be between 0 and " + bits);
        }
      }
      rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
    }
    return new TrustedProxies(List.copyOf(entries), List.copyOf(rules));
  }

  @JsonValue
  public List<String> entries() {
    return entries;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  public boolean trusts(InetAddress address) {
    InetSocketAddress a = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule r : rules) {
      if (r.matches(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The address per-IP limits apply to: {@code peer} itself unless it is a trusted proxy, else the
   * nearest untrusted address of {@code forwardedFor} (the {@code X-Forwarded-For} lines in order,
   * may be empty).
   */
  public InetAddress clientAddress(InetAddress peer, List<String> forwardedFor) {
    if (rules.isEmpty() || forwardedFor.isEmpty() || !trusts(peer)) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String line : forwardedFor) {
      for (String part : line.split(",")) {
        hops.add(part.trim());
      }
    }
    InetAddress current = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = hopAddress(hops.get(i));
      if (hop == null) {
        return current;
      }
      if (!trusts(hop)) {
        return hop;
      }
      current = hop;
    }
    return current;
  }

  /** One X-Forwarded-For entry: {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code ::1} or {@code [::1]:5678}. */
  private static InetAddress hopAddress(String hop) {
    String h = hop;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0) {
        return null;
      }
      h = h.substring(1, end);
    } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
      h = h.substring(0, h.indexOf(':')); // IPv4 with a port
    }
    return literal(h);
  }

  private static InetAddress literal(String ip) {
    if (ip.isEmpty() || ip.length() > 45) {
      return null;
    }
    return NetUtil.createInetAddressFromIpAddressString(ip);
  }

  private static IllegalArgumentException bad(String entry, String why) {
    return new IllegalArgumentException("config key 'limits.trustedProxies': entry '" + entry + "': " + why);
  }

  @Override
  public String toString() {
    return entries.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustedProxies && ((TrustedProxies) o).entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }
}
