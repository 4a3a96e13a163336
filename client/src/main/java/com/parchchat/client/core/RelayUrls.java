package com.parchchat.client.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one relay address a user types ({@code 127.0.0.1:7800}, {@code http://relay.example},
 * {@code https://...}) turned into the HTTP base for the account API and the WebSocket URL for
 * {@code /ws/client}. TLS follows the scheme: https ↔ wss.
 */
public final class RelayUrls {
  private RelayUrls() {}

  public static URI parse(String typed) {
    if (typed == null || typed.isBlank()) {
      throw new IllegalArgumentException("Relay address is empty");
    }
    String s = typed.strip();
    if (!s.contains("://")) {
      s = "http://" + s;
    }
    try {
      URI u = new URI(s);
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")
          && !scheme.equals("ws") && !scheme.equals("wss")) {
        throw new IllegalArgumentException("Relay address must be http(s)://host:port");
      }
      if (u.getHost() == null) {
        throw new IllegalArgumentException("Relay address has no host name");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Relay address is not a valid URL: " + e.getReason());
    }
  }

  static boolean secure(URI u) {
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals("https") || scheme.equals("wss");
  }

  public static URI httpBase(URI relay) {
    return URI.create((secure(relay) ? "https" : "http") + "://" + authority(relay) + "/");
  }

  public static URI clientSocket(URI relay) {
    return URI.create((secure(relay) ? "wss" : "ws") + "://" + authority(relay) + "/ws/client");
  }

  private static String authority(URI u) {
    String host = u.getHost();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return u.getPort() < 0 ? host : host + ":" + u.getPort();
  }
}
