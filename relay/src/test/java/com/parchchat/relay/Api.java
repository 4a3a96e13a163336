package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small JSON client for the relay's HTTP API (JDK HttpClient). */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Status and parsed JSON body (missing node when empty). */
  record Res(int status, JsonNode body) {
    String code() {
      return body.path("code").asText();
    }
  }

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Api(String base) {
    this.base = base;
  }

  Res call(String method, String path, Object body, String token) {
    try {
      String json = body == null ? "" : body instanceof String ? (String) body : JSON.writeValueAsString(body);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .header("User-Agent", "relay-test")
              .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode n = r.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(r.body());
      return new Res(r.statusCode(), n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String text(String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Res post(String path, Object body, String token) {
    return call("POST", path, body, token);
  }

  Res get(String path, String token) {
    return call("GET", path, null, token);
  }

  JsonNode register(String username, String password) {
    Res r =
        post(
            "/api/v1/accounts",
            Map.of("username", username, "displayName", "The " + username, "email", username + "@example.test",
                "password", password),
            null);
    assertThat(r.status()).as("register %s: %s", username, r.body()).isEqualTo(201);
    return r.body();
  }

  JsonNode login(String username, String password) {
    Res r = post("/api/v1/sessions", Map.of("username", username, "password", password), null);
    assertThat(r.status()).as("login %s: %s", username, r.body()).isEqualTo(201);
    return r.body();
  }
}
