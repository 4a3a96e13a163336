package com.parchchat.bench.sfu;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.webrtc.ToneBot;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The real parch-sfu.jar as a process; bots join with an offer inside {@code join}. */
public final class ParchSfuTarget implements SfuTarget {
  private static final String TOKEN_SECRET = "bench-token-secret-0123456789abcdef0123";
  private static final String ROOM = "bench:room";
  private static final String ADMIN_SECRET = "bench-admin-secret-0123";

  private final ServiceProcess process;
  private final int signalPort;
  private final List<JsonWs> sockets = new ArrayList<>();
  private final List<ExecutorService> negotiators = new ArrayList<>();

  ParchSfuTarget(Path jar, List<String> extraJvmArgs) {
    this(jar, extraJvmArgs, List.of());
  }

  /** Starts the jar; {@code extraArgs} are more SfuMain options (e.g. {@code --room-capacity}). */
  public ParchSfuTarget(Path jar, List<String> extraJvmArgs, List<String> extraArgs) {
    signalPort = FreePorts.tcp();
    int mediaPort = FreePorts.udp();
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--signal-port", Integer.toString(signalPort),
        "--media-port", Integer.toString(mediaPort)));
    args.addAll(extraArgs);
    process = ServiceProcess.builder("parch-sfu")
        .jar(jar, jvmArgs(extraJvmArgs), args)
        .env("PARCH_SFU_TOKEN_SECRET", TOKEN_SECRET)
        .env("PARCH_SFU_ADMIN_SECRET", ADMIN_SECRET)
        .start();
    process.awaitHttp(URI.create("http://127.0.0.1:" + signalPort + "/health"), 200, Duration.ofSeconds(60));
  }

  private static List<String> jvmArgs(List<String> extra) {
    // the production launch flags (sfu/README.md): G1 named explicitly, as a JVM pinned to one CPU
    // would otherwise pick SerialGC; a fixed-size heap, so no resizing pauses
    List<String> args = new ArrayList<>(List.of("-XX:+UseG1GC", "-Xms512m", "-Xmx512m"));
    args.addAll(extra);
    return args;
  }

  @Override
  public String name() {
    return "parch-sfu";
  }

  /** The WebSocket signalling URI ({@code /ws}). */
  public URI signalUri() {
    return URI.create("ws://127.0.0.1:" + signalPort + "/ws");
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public void addPublisher(String id, ToneBot bot) throws Exception {
    join(id, bot, true);
  }

  @Override
  public void addSubscriber(String id, ToneBot bot) throws Exception {
    join(id, bot, false);
  }

  private void join(String id, ToneBot bot, boolean speak) throws Exception {
    ExecutorService negotiator = Executors.newSingleThreadExecutor();
    negotiators.add(negotiator);
    JsonWs ws = new JsonWs(URI.create("ws://127.0.0.1:" + signalPort + "/ws"), null);
    sockets.add(ws);
    ws.onFrame(f -> {
      String type = f.path("type").asText();
      if (type.equals("answer")) {
        String sdp = f.path("sdp").asText();
        negotiator.execute(() -> bot.applyAnswer(sdp));
      } else if (type.equals("offer")) {
        String sdp = f.path("sdp").asText();
        long revision = f.path("revision").asLong();
        negotiator.execute(() -> ws.send(Map.of("type", "answer", "sdp", bot.acceptOffer(sdp), "revision", revision)));
      }
    });
    String offer = negotiator.submit(() -> bot.createOffer()).get();
    Map<String, Object> join = new LinkedHashMap<>();
    join.put("type", "join");
    join.put("token", token(id, speak));
    join.put("sdp", offer);
    ws.send(join);
    JsonNode joined = ws.await(n -> n.path("type").asText().equals("joined") || n.path("type").asText().equals("error"),
        Duration.ofSeconds(20));
    if (!joined.path("type").asText().equals("joined")) {
      throw new IllegalStateException("join refused: " + joined);
    }
  }

  /** An HS256 JWT with the claims the relay would put in (docs/protocol.md, "SFU token"). */
  public static String token(String userId, boolean speak) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", userId);
    claims.put("room", ROOM);
    claims.put("name", userId);
    claims.put("speak", speak);
    claims.put("iat", now);
    claims.put("exp", now + 3600);
    claims.put("iss", "parch-relay");
    claims.put("aud", "parch-sfu");
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String head = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = b64.encodeToString(JsonWs.JSON.writeValueAsBytes(claims));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = b64.encodeToString(mac.doFinal((head + "." + body).getBytes(StandardCharsets.US_ASCII)));
    return head + "." + body + "." + sig;
  }

  /** The SFU's own in-process forwarding latency histogram since the last reset (JSON). */
  public JsonNode inSfuLatency(boolean reset) {
    return stats(reset).path("forwardLatencyMicros");
  }

  /**
   * The SFU's {@code GET /admin/stats} (forwarding latency and fan-out histograms since the last
   * reset, cumulative GC pause counters); {@code reset} starts new histograms.
   */
  public JsonNode adminStats(boolean reset) {
    return stats(reset);
  }

  @Override
  public void resetLatency() {
    stats(true);
  }

  @Override
  public String latency() {
    JsonNode l = stats(false).path("forwardLatencyMicros");
    return String.format(java.util.Locale.ROOT, "in-SFU read→sendmmsg over %d packets: p50 %.0f µs, p99 %.0f µs, "
        + "p99.9 %.0f µs, max %.0f µs", l.path("count").asLong(), l.path("p50").asDouble(), l.path("p99").asDouble(),
        l.path("p999").asDouble(), l.path("max").asDouble());
  }

  private JsonNode stats(boolean reset) {
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + signalPort + "/admin/stats"
              + (reset ? "?reset=true" : ""))).header("Authorization", "Bearer " + ADMIN_SECRET).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return JsonWs.JSON.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException("cannot read SFU stats", e);
    }
  }

  @Override
  public void close() {
    sockets.forEach(JsonWs::close);
    negotiators.forEach(ExecutorService::shutdownNow);
    process.close();
  }
}
