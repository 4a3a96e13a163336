package com.parchchat.host.relaylink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.host.auth.HostIdentity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * First-run registration: {@code POST /api/v1/hosts {name, publicKey}} at the relay, which answers
 * with the host id (the Host Key users paste into the client). Only the public key is sent.
 */
public final class RelayRegistration {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RelayRegistration() {}

  /**
   * Registers and returns the host id.
   *
   * @param ownerToken optional relay session token of the user who runs the host
   * @throws IOException when the relay cannot be reached or refuses (its message included)
   */
  public static String register(URI relay, String name, HostIdentity identity, String ownerToken)
      throws IOException, InterruptedException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("publicKey", identity.publicKeyBase64());
    HttpRequest.Builder req = HttpRequest.newBuilder(relay.resolve("/api/v1/hosts"))
        .timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
    if (ownerToken != null && !ownerToken.isBlank()) {
      req.header("Authorization", "Bearer " + ownerToken);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    JsonNode json;
    try {
      json = JSON.readTree(resp.body());
    } catch (IOException e) {
      throw new IOException("relay answered registration with HTTP " + resp.statusCode() + " and no JSON body");
    }
    if (resp.statusCode() / 100 != 2) {
      String message = json.path("message").asText(json.toString());
      throw new IOException("relay refused registration (HTTP " + resp.statusCode() + "): " + message);
    }
    String id = json.hasNonNull("hostId") ? json.get("hostId").asText() : json.path("id").asText(null);
    if (id == null || id.isBlank()) {
      throw new IOException("relay answered registration without a host id: " + json);
    }
    return id;
  }
}
