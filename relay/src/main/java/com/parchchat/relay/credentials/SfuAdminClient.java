package com.parchchat.relay.credentials;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the SFU's admin API to remove a user from a room when a host kicks or bans them:
 * {@code POST {sfuAdminUrl}/admin/rooms/{room}/kick} with {@code Authorization: Bearer <secret>}
 * and body {@code {"userId": "..."}}. Asynchronous (JDK HttpClient); failures are logged, never
 * thrown into the routing path.
 */
public final class SfuAdminClient {
  private static final Logger log = LoggerFactory.getLogger(SfuAdminClient.class);

  private final String baseUrl;
  private final String secret;
  private final HttpClient http;

  public SfuAdminClient(String baseUrl, String secret) {
    this.baseUrl = baseUrl == null || baseUrl.isBlank() ? null : stripSlash(baseUrl);
    this.secret = secret;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Completes with the HTTP status, or -1 if the call could not be made. */
  public CompletableFuture<Integer> kick(String room, String userId) {
    if (baseUrl == null) {
      return CompletableFuture.completedFuture(-1);
    }
    String body = "{\"userId\":\"" + jsonEscape(userId) + "\"}";
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(baseUrl + "/admin/rooms/" + pathSegment(room) + "/kick"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + secret)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
        .thenApply(
            res -> {
              if (res.statusCode() / 100 != 2) {
                log.warn("SFU kick of user {} from room {} answered HTTP {}", userId, room, res.statusCode());
              } else {
                log.info("SFU removed user {} from room {}", userId, room);
              }
              return res.statusCode();
            })
        .exceptionally(
            e -> {
              log.warn("SFU kick of user {} from room {} failed: {}", userId, room, e.toString());
              return -1;
            });
  }

  /** Percent-encodes a path segment, keeping ':' (legal in a segment) readable. */
  static String pathSegment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":");
  }

  private static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
