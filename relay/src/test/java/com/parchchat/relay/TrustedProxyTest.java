package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.relay.config.RelayConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-IP limits behind a reverse proxy ({@code limits.trustedProxies}), over real sockets from
 * chosen loopback source addresses: {@code X-Forwarded-For} counts only when the TCP peer is a
 * configured proxy, and then only its nearest untrusted address — a client cannot escape its
 * budget by prepending addresses, and a peer that is not a proxy cannot pick its address at all.
 */
class TrustedProxyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGIN = "{\"username\":\"proxied\",\"password\":\"proxied password\"}";

  @TempDir Path dir;

  @Test
  void behindATrustedProxyTheForwardedClientAddressIsLimited() throws Exception {
    try (TestRelay relay = TestRelay.start(dir, Map.of(
        "limits.loginPerIpPerMinute", 2,
        "limits.trustedProxies", List.of("127.0.0.2", "10.0.0.0/8")))) {
      relay.api.register("proxied", "proxied password");
      int port = relay.port();

      // the proxy (127.0.0.2) forwards two clients: each has its own budget
      assertThat(login(port, "127.0.0.2", "203.0.113.5").status).isEqualTo(201);
      assertThat(login(port, "127.0.0.2", "203.0.113.5").status).isEqualTo(201);
      assertThat(login(port, "127.0.0.2", "203.0.113.5").status).isEqualTo(429);
      Reply other = login(port, "127.0.0.2", "203.0.113.6");
      assertThat(other.status).isEqualTo(201);
      // the login session records the forwarded client address
      assertThat(sessionIps(port, other.body.get("token").asText())).contains("203.0.113.6");

      // addresses the client wrote itself (left of its own) are not believed: still 203.0.113.5
      assertThat(login(port, "127.0.0.2", "198.51.100.77, 203.0.113.5").status).isEqualTo(429);
      // trusted hops (10.x) between are skipped, across several header lines
      assertThat(login(port, "127.0.0.2", "203.0.113.5", "10.1.2.3").status).isEqualTo(429);
      assertThat(login(port, "127.0.0.2", "203.0.113.7:4711, 10.1.2.3").status).isEqualTo(201);

      // a peer that is not a trusted proxy cannot choose its address: 127.0.0.3 is counted
      assertThat(login(port, "127.0.0.3", "203.0.113.8").status).isEqualTo(201);
      assertThat(login(port, "127.0.0.3", "203.0.113.9").status).isEqualTo(201);
      assertThat(login(port, "127.0.0.3", "203.0.113.10").status).isEqualTo(429);

      // a garbage entry stops the walk at the proxy that forwarded it: the proxy's own budget
      assertThat(login(port, "127.0.0.2", "not-an-ip").status).isEqualTo(201);
      assertThat(login(port, "127.0.0.2", "evil.example").status).isEqualTo(201);
      assertThat(login(port, "127.0.0.2", "").status).isEqualTo(429);
    }
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() throws Exception {
    try (TestRelay relay = TestRelay.start(dir, Map.of("limits.loginPerIpPerMinute", 2))) {
      relay.api.register("proxied", "proxied password");
      assertThat(login(relay.port(), "127.0.0.4", "203.0.113.1").status).isEqualTo(201);
      assertThat(login(relay.port(), "127.0.0.4", "203.0.113.2").status).isEqualTo(201);
      Reply third = login(relay.port(), "127.0.0.4", "203.0.113.3");
      assertThat(third.status).isEqualTo(429);
      assertThat(third.body.get("code").asText()).isEqualTo("rate_limited");
    }
  }

  @Test
  void badEntriesAreRefusedNamingTheKey() {
    for (Object bad : List.of(List.of("proxy.example"), List.of("10.0.0.0/33"), List.of("::1/129"),
        List.of("10.0.0.0/x"), List.of(" "))) {
      assertThatThrownBy(() -> RelayConfigLoader.load(null, Map.of("limits.trustedProxies", bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("limits.trustedProxies");
    }
    assertThat(RelayConfigLoader.load(null, Map.of("limits.trustedProxies", List.of("::1", "fd00::/8", "192.0.2.1/32")))
        .limits().trustedProxies().entries()).containsExactly("::1", "fd00::/8", "192.0.2.1/32");
  }

  private record Reply(int status, JsonNode body) {}

  /** POST /api/v1/sessions from {@code source} with one X-Forwarded-For line per element of {@code xff}. */
  private static Reply login(int port, String source, String... xff) throws Exception {
    List<String> headers = new ArrayList<>();
    for (String line : xff) {
      headers.add("X-Forwarded-For: " + line);
    }
    headers.add("Content-Type: application/json");
    return http(port, source, "POST", "/api/v1/sessions", headers, LOGIN);
  }

  private static List<String> sessionIps(int port, String token) throws Exception {
    Reply r = http(port, "127.0.0.1", "GET", "/api/v1/sessions", List.of("Authorization: Bearer " + token), null);
    assertThat(r.status).isEqualTo(200);
    List<String> ips = new ArrayList<>();
    JsonNode list = r.body.isArray() ? r.body : r.body.path("sessions");
    for (JsonNode s : list) {
      ips.add(s.path("ip").asText());
    }
    return ips;
  }

  private static Reply http(int port, String source, String method, String path, List<String> headers, String body)
      throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      req.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      String payload = response.substring(response.indexOf("\r\n\r\n") + 4);
      return new Reply(status, payload.isEmpty() ? JSON.createObjectNode() : JSON.readTree(payload));
    }
  }
}
