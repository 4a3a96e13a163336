package com.parchchat.bench.sfu;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import com.parchchat.testkit.webrtc.ToneBot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Debian's Janus 1.1.2 as the reference SFU: VideoRoom plugin only, WebSocket transport on
 * loopback, ICE on loopback only, audio-only room. Publishers join with their offer
 * ({@code joinandconfigure}); one subscriber handle per subscriber takes every publisher's feed
 * (multistream), Janus offers and the bot answers.
 */
public final class JanusTarget implements SfuTarget {
  private static final String LIB = "/usr/lib/x86_64-linux-gnu/janus";
  private static final long ROOM = 4242;

  private final Path dir;
  private final ServiceProcess process;
  private final JsonWs ws;
  private final long session;
  private final AtomicLong tx = new AtomicLong();
  private final List<Long> feeds = new ArrayList<>();
  private final ScheduledExecutorService keepalive = Executors.newSingleThreadScheduledExecutor();

  JanusTarget() throws Exception {
    this(32, 200);
  }

  /** Starts Janus with a room for up to {@code maxPublishers} and {@code ports} ICE ports (one per handle). */
  public JanusTarget(int maxPublishers, int ports) throws Exception {
    dir = Files.createTempDirectory("parch-janus-");
    int wsPort = FreePorts.tcp();
    int rtpMin = FreePorts.udpRange(ports);
    writeConfig(wsPort, rtpMin, ports);
    process = ServiceProcess.builder("janus")
        .command("/usr/bin/janus", "-C", dir.resolve("conf/janus.jcfg").toString(), "-F", dir.resolve("conf").toString(),
            "-o", "-L", dir.resolve("janus.log").toString(), "-p", dir.resolve("janus.pid").toString())
        .logDir(dir)
        .start();
    process.awaitTcp("127.0.0.1", wsPort, Duration.ofSeconds(30));
    ws = new JsonWs(URI.create("ws://127.0.0.1:" + wsPort + "/"), "janus-protocol");
    session = request(Map.of("janus", "create")).path("data").path("id").asLong();
    keepalive.scheduleAtFixedRate(() -> ws.send(Map.of("janus", "keepalive", "session_id", session,
        "transaction", "k" + tx.incrementAndGet())), 15, 15, TimeUnit.SECONDS);
    long admin = attach();
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("request", "create");
    create.put("room", ROOM);
    create.put("publishers", maxPublishers);
    create.put("audiocodec", "opus");
    create.put("videocodec", "vp8");
    create.put("audiolevel_ext", true);
    JsonNode created = request(message(admin, create, null));
    if (!created.path("plugindata").path("data").path("videoroom").asText().equals("created")) {
      throw new IllegalStateException("Janus did not create the room: " + created);
    }
  }

  private void writeConfig(int wsPort, int rtpMin, int ports) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Path transports = Files.createDirectories(dir.resolve("transports"));
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.createSymbolicLink(plugins.resolve("libjanus_videoroom.so"), Path.of(LIB, "plugins/libjanus_videoroom.so"));
    Files.createSymbolicLink(transports.resolve("libjanus_websockets.so"),
        Path.of(LIB, "transports/libjanus_websockets.so"));
    Files.writeString(conf.resolve("janus.jcfg"), String.join("\n",
        "general: {",
        "  configs_folder = \"" + conf + "\"",
        "  plugins_folder = \"" + plugins + "\"",
        "  transports_folder = \"" + transports + "\"",
        "  events_folder = \"" + empty + "\"",
        "  loggers_folder = \"" + empty + "\"",
        "  debug_level = " + Integer.getInteger("parch.janus.debugLevel", 3),
        "  session_timeout = 120",
        "}",
        "media: {",
        "  rtp_port_range = \"" + rtpMin + "-" + (rtpMin + ports - 1) + "\"",
        "}",
        "nat: {",
        "  ice_enforce_list = \"127.0.0.1\"",
        "  ignore_mdns = true",
        "}",
        ""));
    Files.writeString(conf.resolve("janus.transport.websockets.jcfg"), String.join("\n",
        "general: {", "  json = \"plain\"", "  ws = true", "  ws_port = " + wsPort, "  ws_ip = \"127.0.0.1\"",
        "  wss = false", "}", "admin: {", "  admin_ws = false", "}", ""));
    Files.writeString(conf.resolve("janus.plugin.videoroom.jcfg"), "general: {\n}\n");
  }

  @Override
  public String name() {
    return "janus-1.1.2";
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public void addPublisher(String id, ToneBot bot) {
    long handle = attach();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("request", "joinandconfigure");
    body.put("room", ROOM);
    body.put("ptype", "publisher");
    body.put("display", id);
    body.put("audio", true);
    body.put("video", false);
    String offer = bot.createOffer();
    String t = send(message(handle, body, Map.of("type", "offer", "sdp", offer)));
    JsonNode ev = awaitEvent(t);
    if (!ev.has("jsep")) {
      throw new IllegalStateException("Janus refused publisher " + id + ": " + ev);
    }
    feeds.add(ev.path("plugindata").path("data").path("id").asLong());
    bot.applyAnswer(ev.path("jsep").path("sdp").asText());
  }

  @Override
  public void addSubscriber(String id, ToneBot bot) {
    long handle = attach();
    JsonNode ev = joinAsSubscriber(handle, id);
    String answer = bot.acceptOffer(ev.path("jsep").path("sdp").asText());
    String t2 = send(message(handle, Map.of("request", "start"), Map.of("type", "answer", "sdp", answer)));
    awaitEvent(t2);
  }

  /** Joins {@code handle} as a subscriber to every feed published so far; the event carrying Janus's offer. */
  private JsonNode joinAsSubscriber(long handle, String id) {
    List<Map<String, Object>> streams = new ArrayList<>();
    for (long f : feeds) {
      streams.add(Map.of("feed", f));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("request", "join");
    body.put("room", ROOM);
    body.put("ptype", "subscriber");
    body.put("streams", streams);
    String t = send(message(handle, body, null));
    JsonNode ev = awaitEvent(t);
    if (!ev.has("jsep")) {
      throw new IllegalStateException("Janus refused subscriber " + id + ": " + ev);
    }
    return ev;
  }

  /** The plugin event answering transaction {@code t}. */
  private JsonNode awaitEvent(String t) {
    return ws.await(n -> n.path("transaction").asText().equals(t) && n.path("janus").asText().equals("event"),
        Duration.ofSeconds(20));
  }

  /**
   * Publishes an offer of our own (a synthetic peer's) without trickle: {@code joinandconfigure}
   * with the offer; returns Janus's answer.
   */
  public String publish(String id, String offerSdp) {
    long handle = attach();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("request", "joinandconfigure");
    body.put("room", ROOM);
    body.put("ptype", "publisher");
    body.put("display", id);
    body.put("audio", true);
    body.put("video", false);
    String t = send(message(handle, body, Map.of("type", "offer", "sdp", offerSdp, "trickle", false)));
    JsonNode ev = awaitEvent(t);
    if (!ev.has("jsep")) {
      throw new IllegalStateException("Janus refused publisher " + id + ": " + ev);
    }
    feeds.add(ev.path("plugindata").path("data").path("id").asLong());
    return ev.path("jsep").path("sdp").asText();
  }

  /**
   * Subscribes to every feed published so far on one multistream handle; {@code answerer} turns
   * Janus's offer into our answer (sent with {@code start}, no trickle).
   */
  public void subscribe(String id, java.util.function.UnaryOperator<String> answerer) {
    long handle = attach();
    JsonNode ev = joinAsSubscriber(handle, id);
    String answer = answerer.apply(ev.path("jsep").path("sdp").asText());
    String t2 = send(message(handle, Map.of("request", "start"), Map.of("type", "answer", "sdp", answer, "trickle", false)));
    JsonNode started = awaitEvent(t2);
    if (started.path("plugindata").path("data").has("error")) {
      throw new IllegalStateException("Janus refused the answer of " + id + ": " + started);
    }
  }

  private long attach() {
    return request(Map.of("janus", "attach", "plugin", "janus.plugin.videoroom", "session_id", session))
        .path("data").path("id").asLong();
  }

  private Map<String, Object> message(long handle, Map<String, Object> body, Map<String, Object> jsep) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("janus", "message");
    m.put("session_id", session);
    m.put("handle_id", handle);
    m.put("body", body);
    if (jsep != null) {
      m.put("jsep", jsep);
    }
    return m;
  }

  private String send(Map<String, Object> frame) {
    String t = "t" + tx.incrementAndGet();
    Map<String, Object> m = new LinkedHashMap<>(frame);
    m.put("transaction", t);
    ws.send(m);
    return t;
  }

  /** Sends and waits for the first non-ack reply with the same transaction. */
  private JsonNode request(Map<String, Object> frame) {
    String t = send(frame);
    JsonNode r = ws.await(n -> n.path("transaction").asText().equals(t) && !n.path("janus").asText().equals("ack"),
        Duration.ofSeconds(20));
    if (r.path("janus").asText().equals("error")) {
      throw new IllegalStateException("Janus error: " + r);
    }
    return r;
  }

  @Override
  public void close() {
    keepalive.shutdownNow();
    if (ws != null) {
      ws.close();
    }
    process.close();
    try {
      // kept for diagnosis: the temp dir goes away
      Files.copy(dir.resolve("janus.log"), Path.of(System.getProperty("java.io.tmpdir"), "parch-bench-janus-last.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // no log written
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
