package com.parchchat.client.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.UserRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The relay's account API ({@code /api/v1}) over {@link HttpClient}: register, login, logout,
 * password reset, password and display-name changes. Every call completes with a value or with a
 * {@link ClientException} carrying the relay's error code and message. Passwords and tokens are
 * only ever in request bodies and headers, never logged.
 */
public final class AccountClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A successful login: the session token (a secret) and who it belongs to. */
  public record Login(String token, UserRef user) {
    @Override
    public String toString() {
      return "Login[user=" + user + ", token=***]";
    }
  }

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  /** {@code relayUrl} is the relay's base, e.g. {@code http://127.0.0.1:7800}. */
  public AccountClient(URI relayUrl, HttpClient http, Duration timeout) {
    this.base = RelayUrls.httpBase(relayUrl);
    this.http = http;
    this.timeout = timeout;
  }

  public CompletableFuture<UserRef> register(
      String username, String displayName, String email, String password) {
    ObjectNode body = JSON.createObjectNode()
        .put("username", username)
        .put("displayName", displayName)
        .put("email", email)
        .put("password", password);
    return call("POST", "/api/v1/accounts", null, body).thenApply(AccountClient::user);
  }

  public CompletableFuture<Login> login(String username, String password) {
    ObjectNode body = JSON.createObjectNode().put("username", username).put("password", password);
    return call("POST", "/api/v1/sessions", null, body)
        .thenApply(n -> new Login(text(n, "token"), user(n)));
  }

  /** Revokes the token at the relay. */
  public CompletableFuture<Void> logout(String token) {
    return call("POST", "/api/v1/sessions/logout", token, null).thenApply(n -> null);
  }

  /** Who the token belongs to; fails with {@code unauthorized} for a revoked or expired token. */
  public CompletableFuture<UserRef> me(String token) {
    return call("GET", "/api/v1/account", token, null).thenApply(AccountClient::user);
  }

  /** Asks the relay to mail a reset link. The relay answers the same whether or not the account exists. */
  public CompletableFuture<Void> requestPasswordReset(String usernameOrEmail) {
    ObjectNode body = JSON.createObjectNode().put("login", usernameOrEmail);
    return call("POST", "/api/v1/password-reset", null, body).thenApply(n -> null);
  }

  /** Completes a reset with the token from the mailed link. */
  public CompletableFuture<Void> confirmPasswordReset(String resetToken, String newPassword) {
    ObjectNode body = JSON.createObjectNode().put("token", resetToken).put("newPassword", newPassword);
    return call("POST", "/api/v1/password-reset/confirm", null, body).thenApply(n -> null);
  }

  public CompletableFuture<Void> changePassword(String token, String current, String next) {
    ObjectNode body = JSON.createObjectNode().put("currentPassword", current).put("newPassword", next);
    return call("POST", "/api/v1/account/password", token, body).thenApply(n -> null);
  }

  public CompletableFuture<UserRef> changeDisplayName(String token, String displayName) {
    ObjectNode body = JSON.createObjectNode().put("displayName", displayName);
    return call("POST", "/api/v1/account/display-name", token, body).thenApply(AccountClient::user);
  }

  private CompletableFuture<JsonNode> call(String method, String path, String token, JsonNode body) {
    HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path))
        .timeout(timeout)
        .header("Accept", "application/json");
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      req.header("Content-Type", "application/json");
      req.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString())
        .handle((resp, err) -> {
          if (err != null) {
            throw new ClientException(ErrorCode.UNAVAILABLE,
                "Cannot reach the relay at " + base.getHost() + ":" + base.getPort(), err);
          }
          return parse(resp);
        });
  }

  private static JsonNode parse(HttpResponse<String> resp) {
    JsonNode node;
    try {
      String s = resp.body();
      node = s == null || s.isBlank() ? JSON.createObjectNode() : JSON.readTree(s);
    } catch (IOException e) {
      throw new ClientException(ErrorCode.INTERNAL,
          "The relay sent an unreadable answer (HTTP " + resp.statusCode() + ")", e);
    }
    if (resp.statusCode() / 100 == 2) {
      return node;
    }
    throw error(resp.statusCode(), node);
  }

  static ClientException error(int status, JsonNode node) {
    JsonNode err = node.has("error") && node.get("error").isObject() ? node.get("error") : node;
    ErrorCode code = statusCode(status);
    JsonNode c = err.get("code");
    if (c != null && c.isTextual()) {
      try {
        code = ErrorCode.fromWire(c.asText());
      } catch (IllegalArgumentException e) {
        // an unknown code from a newer relay: keep the one derived from the HTTP status
      }
    }
    JsonNode m = err.get("message");
    String message = m != null && m.isTextual() && !m.asText().isBlank()
        ? m.asText()
        : "The relay refused the request (HTTP " + status + ")";
    return new ClientException(code, message);
  }

  private static ErrorCode statusCode(int status) {
    switch (status) {
      case 400: return ErrorCode.BAD_REQUEST;
      case 401: return ErrorCode.UNAUTHORIZED;
      case 403: return ErrorCode.FORBIDDEN;
      case 404: return ErrorCode.NOT_FOUND;
      case 409: return ErrorCode.CONFLICT;
      case 413: return ErrorCode.TOO_LARGE;
      case 429: return ErrorCode.RATE_LIMITED;
      case 503: return ErrorCode.UNAVAILABLE;
      default: return ErrorCode.INTERNAL;
    }
  }

  private static UserRef user(JsonNode n) {
    JsonNode u = n.has("user") ? n.get("user") : n;
    return new UserRef(text(u, "userId"), text(u, "username"), text(u, "displayName"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new ClientException(ErrorCode.INTERNAL, "The relay's answer lacks '" + field + "'");
    }
    return v.asText();
  }
}
