package com.parchchat.e2e.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.api.HostEvent;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A user driving the real relay over a real WebSocket (JDK client), speaking the typed frames of
 * common-protocol: hello, attach, request; collects replies, events and notifications.
 */
final class ChatClient implements AutoCloseable {
  static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final UserRef user;
  private final WebSocket ws;
  private final Map<String, CompletableFuture<HostReply>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  final List<HostEvent> events = new CopyOnWriteArrayList<>();
  final List<HostEvent> notifications = new CopyOnWriteArrayList<>();
  final List<RelayToClient.HostStatus> statuses = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();
  private final CompletableFuture<RelayToClient.Welcome> welcome = new CompletableFuture<>();
  private final Object sendLock = new Object();

  private ChatClient(URI relay, String token) throws Exception {
    URI wsUri = URI.create("ws://" + relay.getHost() + ":" + relay.getPort() + "/ws/client");
    this.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(wsUri, new Listener()).get(20, TimeUnit.SECONDS);
    sendFrame(new ClientToRelay.Hello(token, null));
    this.user = welcome.get(20, TimeUnit.SECONDS).user();
  }

  /** Creates an account, logs in and connects. */
  static ChatClient signUp(URI relay, String username) throws Exception {
    post(relay, "/api/v1/accounts", Map.of("username", username, "displayName", "User " + username,
        "email", username + "@example.test", "password", password(username)));
    return login(relay, username);
  }

  /** Logs in to an existing account (made by {@link #signUp}) and connects. */
  static ChatClient login(URI relay, String username) throws Exception {
    JsonNode login = post(relay, "/api/v1/sessions", Map.of("username", username, "password", password(username)));
    return new ChatClient(relay, login.get("token").asText());
  }

  private static String password(String username) {
    return "correct horse battery " + username;
  }

  static JsonNode post(URI relay, String path, Map<String, String> body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(relay.resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(path + " -> HTTP " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private void sendFrame(Object frame) {
    synchronized (sendLock) {
      ws.sendText(CODEC.encode(frame), true).join();
    }
  }

  /** Attaches to a host and waits until the relay reports it online. */
  void attach(String hostId) {
    int before = statuses.size();
    sendFrame(new ClientToRelay.Attach(hostId, "a" + ids.incrementAndGet()));
    Awaitility.await("host " + hostId + " online").atMost(Duration.ofSeconds(30)).until(() -> {
      for (int i = before; i < statuses.size(); i++) {
        if (statuses.get(i).host().equals(hostId) && statuses.get(i).online()) {
          return true;
        }
      }
      return false;
    });
  }

  CompletableFuture<HostReply> request(String hostId, HostRequest body) {
    String id = "r" + ids.incrementAndGet();
    CompletableFuture<HostReply> f = new CompletableFuture<>();
    pending.put(id, f);
    sendFrame(new ClientToRelay.Request(hostId, id, CODEC.toBody(body)));
    return f;
  }

  /** Sends a request and waits for its typed success reply (a host error fails the test). */
  <R extends HostReply> R call(String hostId, HostRequest body, Class<R> type) throws Exception {
    HostReply reply = request(hostId, body).get(30, TimeUnit.SECONDS);
    return HostReply.expect(reply, type);
  }

  /** Sends a request that must fail; returns the error. */
  HostReply.Error fail(String hostId, HostRequest body) throws Exception {
    HostReply reply = request(hostId, body).get(30, TimeUnit.SECONDS);
    if (!(reply instanceof HostReply.Error)) {
      throw new AssertionError("expected an error reply but got " + reply);
    }
    return (HostReply.Error) reply;
  }

  <E extends HostEvent> E awaitEvent(Class<E> type, Predicate<E> match) {
    return await(events, type, match);
  }

  <E extends HostEvent> E awaitNotification(Class<E> type, Predicate<E> match) {
    return await(notifications, type, match);
  }

  private static <E extends HostEvent> E await(List<HostEvent> list, Class<E> type, Predicate<E> match) {
    List<E> found = new ArrayList<>();
    Awaitility.await(type.getSimpleName()).atMost(Duration.ofSeconds(30)).until(() -> {
      for (HostEvent e : list) {
        if (type.isInstance(e) && match.test(type.cast(e))) {
          found.add(type.cast(e));
          return true;
        }
      }
      return false;
    });
    return found.get(0);
  }

  <E extends HostEvent> List<E> eventsOf(Class<E> type) {
    List<E> out = new ArrayList<>();
    for (HostEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  @Override
  public void close() {
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        handle(text);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      errors.add("closed " + statusCode + " " + reason);
      IllegalStateException closed = new IllegalStateException("relay closed the connection: " + statusCode + " " + reason);
      pending.values().forEach(f -> f.completeExceptionally(closed));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      errors.add(String.valueOf(error));
      pending.values().forEach(f -> f.completeExceptionally(error));
    }

    private void handle(String text) {
      try {
        RelayToClient frame = CODEC.decode(text, RelayToClient.class);
        if (frame instanceof RelayToClient.Welcome) {
          welcome.complete((RelayToClient.Welcome) frame);
        } else if (frame instanceof RelayToClient.Reply) {
          RelayToClient.Reply r = (RelayToClient.Reply) frame;
          CompletableFuture<HostReply> f = pending.remove(r.id());
          if (f != null) {
            f.complete(CODEC.fromBody(r.body(), HostReply.class));
          }
        } else if (frame instanceof RelayToClient.Event) {
          events.add(CODEC.fromBody(((RelayToClient.Event) frame).body(), HostEvent.class));
        } else if (frame instanceof RelayToClient.Notification) {
          notifications.add(CODEC.fromBody(((RelayToClient.Notification) frame).body(), HostEvent.class));
        } else if (frame instanceof RelayToClient.HostStatus) {
          statuses.add((RelayToClient.HostStatus) frame);
        } else if (frame instanceof RelayToClient.Error) {
          RelayToClient.Error e = (RelayToClient.Error) frame;
          errors.add(e.code().wire() + ": " + e.message());
          CompletableFuture<HostReply> f = e.id() == null ? null : pending.remove(e.id());
          if (f != null) {
            f.complete(new HostReply.Error(e.code(), e.message()));
          }
        }
      } catch (ProtocolException e) {
        errors.add("undecodable frame: " + e.getMessage() + ": " + text);
      }
    }
  }

}
