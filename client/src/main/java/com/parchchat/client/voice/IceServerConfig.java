package com.parchchat.client.voice;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One STUN/TURN server for the voice engine, validated before it reaches libwebrtc: webrtc-java
 * 0.14 segfaults on a malformed URL such as {@code "turn:"}. URLs are {@code stun:}/{@code stuns:}/
 * {@code turn:}/{@code turns:} with a host (name, IPv4 or bracketed IPv6), optional port 1–65535 and,
 * for TURN, optional {@code ?transport=udp|tcp}; TURN needs a username and password. The password
 * never appears in {@link #toString()}.
 */
public record IceServerConfig(List<String> urls, String username, String password) {

  private static final Pattern URL = Pattern.compile(
      "(stuns?|turns?):(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::(\\d{1,5}))?(?:\\?transport=(udp|tcp))?");

  public IceServerConfig {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException("an ICE server needs at least one URL");
    }
    urls = List.copyOf(urls);
    boolean turn = false;
    for (String url : urls) {
      turn |= validate(url);
    }
    if (turn && (username == null || username.isEmpty() || password == null || password.isEmpty())) {
      throw new IllegalArgumentException("a TURN server needs a username and a password: " + urls);
    }
  }

  private static boolean validate(String url) {
    if (url == null) {
      throw new IllegalArgumentException("ICE server URL is null");
    }
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("malformed ICE server URL: '" + url + "'");
    }
    if (m.group(3) != null) {
      int port = Integer.parseInt(m.group(3));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("ICE server port out of range in '" + url + "'");
      }
    }
    boolean turn = m.group(1).toLowerCase(Locale.ROOT).startsWith("turn");
    if (m.group(4) != null && !turn) {
      throw new IllegalArgumentException("?transport= is only valid for TURN URLs: '" + url + "'");
    }
    return turn;
  }

  @Override
  public String toString() {
    return "IceServerConfig[urls=" + urls + ", username=" + username + ", password="
        + (password == null ? "null" : "***") + "]";
  }
}
