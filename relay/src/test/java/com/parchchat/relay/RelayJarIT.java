package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real parch-relay.jar as a process: TLS from PEM files, flags, dev secrets, graceful shutdown. */
class RelayJarIT {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void killProcesses() throws Exception {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void servesHttpsAndWssAndShutsDownGracefully() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    processes.add(openssl);
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();

    int port = freePort();
    Path data = dir.resolve("data");
    Path log = dir.resolve("relay.log");
    Process relay = start(log, "--port", String.valueOf(port), "--data-dir", data.toString(),
        "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--argon2-memory-kib", "4096");

    HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(5)).build();
    String base = "https://127.0.0.1:" + port;
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
        https.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode() == 200);

    assertThat(post(https, base + "/api/v1/accounts",
        "{\"username\":\"tls-user\",\"email\":\"t@example.test\",\"password\":\"tls password\"}").statusCode())
        .isEqualTo(201);
    HttpResponse<String> login = post(https, base + "/api/v1/sessions",
        "{\"username\":\"tls-user\",\"password\":\"tls password\"}");
    String token = Api.JSON.readTree(login.body()).get("token").asText();

    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    CompletableFuture<String> closed = new CompletableFuture<>();
    WebSocket ws = https.newWebSocketBuilder()
        .buildAsync(URI.create("wss://127.0.0.1:" + port + "/ws/client"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            frames.add(data.toString());
            w.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closed.complete(code + " " + reason);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    ws.sendText("{\"type\":\"hello\",\"token\":\"" + token + "\"}", true).join();
    JsonNode welcome = Api.JSON.readTree(frames.poll(10, TimeUnit.SECONDS));
    assertThat(welcome.get("type").asText()).isEqualTo("welcome");

    Path secrets = data.resolve("dev-secrets.properties");
    assertThat(Files.readString(secrets)).contains("sfuSecret=", "turnSecret=", "sfuAdminSecret=");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rw-------");

    relay.destroy(); // SIGTERM: the shutdown hook closes connections with 1001 and drains
    assertThat(closed.get(15, TimeUnit.SECONDS)).startsWith("1001").contains("shutting down");
    assertThat(relay.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log);
    assertThat(output).contains("relay stopped");
    assertThat(output).doesNotContain(token).doesNotContain("tls password");
    for (String line : Files.readAllLines(secrets)) {
      if (line.contains("=")) {
        assertThat(output).doesNotContain(line.substring(line.indexOf('=') + 1));
      }
    }
  }

  @Test
  void helpAndBadFlags() throws Exception {
    Process help = start(dir.resolve("help.log"), "--help");
    assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(help.exitValue()).isZero();
    assertThat(Files.readString(dir.resolve("help.log"))).contains("--config", "--port", "--tls-cert");

    Process bad = start(dir.resolve("bad.log"), "--port", "70000", "--data-dir", dir.toString());
    assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("bad.log"))).contains("'port'");
  }

  private Process start(Path log, String... args) throws Exception {
    String jar = System.getProperty("parch.relay.jar");
    assertThat(jar).as("parch.relay.jar system property").isNotNull();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  private static HttpResponse<String> post(HttpClient http, String url, String json) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(Path certPem) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certPem)) {
      ks.setCertificateEntry("relay", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
