package com.parchchat.bench.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end chat latency through the real relay and host jars (issue 4, point 10): one sender
 * posts messages at a fixed rate into a space of N members, each member a WebSocket session;
 * latency is from just before the sender writes {@code message.send} to each member receiving
 * {@code message.created} (same JVM clock; the send time travels in the message content).
 *
 * <p>Run: {@code java -cp bench/target/parch-bench.jar com.parchchat.bench.host.HostChatBench
 * --relay-jar relay/target/parch-relay.jar --host-jar host/target/parch-host.jar --members 100 --rate 1000}
 */
@Command(name = "host-chat", mixinStandardHelpOptions = true, description = "Chat end-to-end latency through relay and host.")
public final class HostChatBench implements Callable<Integer> {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Option(names = "--relay-jar", required = true) Path relayJar;
  @Option(names = "--host-jar", required = true) Path hostJar;
  @Option(names = "--members", description = "receiving members (default 100)") int members = 100;
  @Option(names = "--rate", description = "messages per second (default 1000)") int rate = 1000;
  @Option(names = "--seconds", description = "measured seconds after 2 s warm-up (default 10)") int seconds = 10;
  @Option(names = "--dir", description = "working directory") Path dir =
      Path.of(System.getProperty("java.io.tmpdir"), "parch-host-chat-bench-" + System.nanoTime());

  public static void main(String[] args) {
    System.exit(new CommandLine(new HostChatBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    URI relay = URI.create("http://127.0.0.1:" + port);
    Files.writeString(dir.resolve("relay.yaml"), "limits:\n  messagesPerSecond: 100000\n  messageBurst: 100000\n"
        + "  floodDisconnectAfter: 1000000\n  registerPerIpPerHour: 100000\n  loginPerIpPerMinute: 100000\n");
    Files.createDirectories(dir.resolve("host"));
    Files.writeString(dir.resolve("host/host.yaml"), "relay: \"" + relay + "\"\nname: \"bench\"\n"
        + "messageBurst: 100000\nmessagesPerSecond: 100000\n");
    Process relayProc = start(relayJar, dir.resolve("relay.log"), "--config", dir.resolve("relay.yaml").toString(),
        "--port", Integer.toString(port), "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024");
    Process hostProc = null;
    List<Client> clients = new ArrayList<>();
    try {
      awaitLog(dir.resolve("relay.log"), "parch-relay ready", 120);
      hostProc = start(hostJar, dir.resolve("host.log"), "--data-dir", dir.resolve("host").toString());
      awaitLog(dir.resolve("host.log"), "online at relay", 120);
      String hostId = Files.readString(dir.resolve("host.log")).replaceAll("(?s).*Host Key: (\\S+).*", "$1");

      Client sender = Client.connect(relay, "sender");
      clients.add(sender);
      sender.attach(hostId);
      HostReply.SpaceSnapshotResult space = (HostReply.SpaceSnapshotResult) sender.call(hostId,
          new HostRequest.SpaceCreate("bench"));
      String channel = space.snapshot().channels().get(0).id();
      HostReply.InviteCodeResult code = (HostReply.InviteCodeResult) sender.call(hostId,
          new HostRequest.InviteCodeCreate(space.snapshot().space().id(), null, null));
      Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
      AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
      for (int i = 0; i < members; i++) {
        Client m = Client.connect(relay, "member" + i);
        m.onMessage = sentAt -> {
          if (sentAt >= measureFrom.get()) {
            synchronized (latency) {
              latency.recordValue(Math.max(0, System.nanoTime() - sentAt));
            }
          }
        };
        m.attach(hostId);
        m.call(hostId, new HostRequest.InviteCodeRedeem(code.inviteCode().code()));
        clients.add(m);
      }
      long interval = 1_000_000_000L / rate;
      long start = System.nanoTime();
      long total = (long) rate * (seconds + 2);
      List<CompletableFuture<HostReply>> acks = new ArrayList<>();
      for (long n = 0; n < total; n++) {
        long due = start + n * interval;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        if (n == (long) rate * 2) {
          measureFrom.set(System.nanoTime());
        }
        long now = System.nanoTime();
        acks.add(sender.request(hostId, new HostRequest.MessageSend(channel, "m" + n, "t=" + now, null)));
      }
      long sendSeconds = System.nanoTime() - start;
      CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
      long expected = (long) rate * seconds * members;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        synchronized (latency) {
          if (latency.getTotalCount() >= expected) {
            break;
          }
        }
        Thread.sleep(100);
      }
      synchronized (latency) {
        System.out.printf("chat e2e: %d members, %d msg/s offered (%.0f achieved) -> %d deliveries measured of %d:"
                + " p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
            members, rate, total / (sendSeconds / 1e9), latency.getTotalCount(), expected,
            latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
            latency.getValueAtPercentile(99.9) / 1e6, latency.getMaxValue() / 1e6);
      }
      return 0;
    } finally {
      for (Client c : clients) {
        c.ws.abort();
      }
      if (hostProc != null) {
        hostProc.destroy();
        hostProc.waitFor(20, TimeUnit.SECONDS);
      }
      relayProc.destroy();
      relayProc.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static Process start(Path jar, Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitLog(Path log, String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out waiting for '" + text + "' in " + log);
  }

  /** A minimal relay client over the JDK WebSocket. */
  static final class Client {
    WebSocket ws;
    final Map<String, CompletableFuture<HostReply>> pending = new ConcurrentHashMap<>();
    final CompletableFuture<Void> welcome = new CompletableFuture<>();
    final CompletableFuture<Void> online = new CompletableFuture<>();
    final AtomicLong ids = new AtomicLong();
    volatile java.util.function.LongConsumer onMessage = t -> { };
    private final Object lock = new Object();

    static Client connect(URI relay, String username) throws Exception {
      String password = "bench password " + username;
      post(relay, "/api/v1/accounts", Map.of("username", username, "email", username + "@bench.test",
          "password", password));
      JsonNode login = post(relay, "/api/v1/sessions", Map.of("username", username, "password", password));
      Client c = new Client();
      c.ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + relay.getPort() + "/ws/client"),
          c.listener()).get(30, TimeUnit.SECONDS);
      c.send(new ClientToRelay.Hello(login.get("token").asText(), null));
      c.welcome.get(30, TimeUnit.SECONDS);
      return c;
    }

    void send(Object frame) {
      synchronized (lock) {
        ws.sendText(CODEC.encode(frame), true).join();
      }
    }

    void attach(String host) throws Exception {
      send(new ClientToRelay.Attach(host, "a"));
      online.get(30, TimeUnit.SECONDS);
    }

    CompletableFuture<HostReply> request(String host, HostRequest r) {
      String id = Long.toString(ids.incrementAndGet());
      CompletableFuture<HostReply> f = new CompletableFuture<>();
      pending.put(id, f);
      send(new ClientToRelay.Request(host, id, CODEC.toBody(r)));
      return f;
    }

    HostReply call(String host, HostRequest r) throws Exception {
      HostReply reply = request(host, r).get(30, TimeUnit.SECONDS);
      if (reply instanceof HostReply.Error) {
        throw new IllegalStateException("host error: " + reply);
      }
      return reply;
    }

    private WebSocket.Listener listener() {
      return new WebSocket.Listener() {
        final StringBuilder buf = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          buf.append(data);
          if (last) {
            handle(buf.toString());
            buf.setLength(0);
          }
          w.request(1);
          return null;
        }
      };
    }

    private void handle(String text) {
      try {
        RelayToClient f = CODEC.decode(text, RelayToClient.class);
        if (f instanceof RelayToClient.Welcome) {
          welcome.complete(null);
        } else if (f instanceof RelayToClient.HostStatus && ((RelayToClient.HostStatus) f).online()) {
          online.complete(null);
        } else if (f instanceof RelayToClient.Reply) {
          RelayToClient.Reply r = (RelayToClient.Reply) f;
          CompletableFuture<HostReply> p = pending.remove(r.id());
          if (p != null) {
            p.complete(CODEC.fromBody(r.body(), HostReply.class));
          }
        } else if (f instanceof RelayToClient.Event) {
          HostEvent e = CODEC.fromBody(((RelayToClient.Event) f).body(), HostEvent.class);
          if (e instanceof HostEvent.MessageCreated) {
            String content = ((HostEvent.MessageCreated) e).message().content();
            if (content.startsWith("t=")) {
              onMessage.accept(Long.parseLong(content.substring(2)));
            }
          }
        } else if (f instanceof RelayToClient.Error) {
          RelayToClient.Error e = (RelayToClient.Error) f;
          CompletableFuture<HostReply> p = e.id() == null ? null : pending.remove(e.id());
          if (p != null) {
            p.complete(new HostReply.Error(e.code(), e.message()));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException("bad frame: " + text, e);
      }
    }

    static JsonNode post(URI relay, String path, Map<String, String> body) throws Exception {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(relay.resolve(path))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IOException(path + " -> " + r.statusCode() + " " + r.body());
      }
      return JSON.readTree(r.body());
    }
  }

}
