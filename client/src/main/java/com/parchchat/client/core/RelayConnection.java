package com.parchchat.client.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one WebSocket to the relay ({@code /ws/client}), kept up for as long as the user is
 * logged in. It authenticates with {@code hello}, re-attaches every host the user has open after
 * each reconnect, correlates {@code request}/{@code reply} by id, and hands events to listeners.
 *
 * <p>Invariants: at most one socket is live; frames are sent one at a time in order (the JDK
 * WebSocket forbids overlapping sends); a lost connection fails every pending request with
 * {@code unavailable} and is retried with {@link Backoff} (with jitter) until {@link #close()} or
 * until the relay rejects the token ({@link State#UNAUTHORIZED}, which needs a new login).
 */
public final class RelayConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayConnection.class);

  /** Correlation id prefix of attach frames, so an error about an attach names its host. */
  public static final String ATTACH_ID = "attach:";


  public enum State { CONNECTING, ONLINE, RECONNECTING, UNAUTHORIZED, CLOSED }

  /** What the UI shows about the link: state, a human detail and when the next try is. */
  public record Status(State state, String detail, long retryAtMillis) {
    static Status of(State s, String detail) {
      return new Status(s, detail, 0);
    }
  }

  private final URI socketUrl;
  private final String token;
  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final Backoff backoff;
  private final Duration requestTimeout;
  private final Duration idleTimeout;
  private final SignalCodec codec;

  /**
   * The relay drops frames beyond its per-connection rate, so a burst (an outbox flush after a
   * reconnect, a quick typist) is paced here rather than lost there.
   */
  private final Pacer pacer;
  private final Value<Status> status = new Value<>(Status.of(State.CONNECTING, "Connecting…"));
  private final Value<RelayToClient.Welcome> welcome = new Value<>(null);
  private final Set<String> attached = new LinkedHashSet<>();
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<RelayToClient>> frameListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();

  private final Object lock = new Object();
  private WebSocket socket;
  private int generation;
  private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
  private ScheduledFuture<?> retryTask;
  private ScheduledFuture<?> pingTask;
  private volatile long lastHeardNanos = System.nanoTime();
  private boolean closed;

  public RelayConnection(URI relay, String token, HttpClient http, ScheduledExecutorService timer,
      Backoff backoff, Duration requestTimeout, Duration idleTimeout, SignalCodec codec, int maxFramesPerSecond) {
    this.pacer = new Pacer(maxFramesPerSecond, maxFramesPerSecond);
    this.socketUrl = RelayUrls.clientSocket(relay);
    this.token = token;
    this.http = http;
    this.timer = timer;
    this.backoff = backoff;
    this.requestTimeout = requestTimeout;
    this.idleTimeout = idleTimeout;
    this.codec = codec;
  }

  public Value<Status> status() {
    return status;
  }

  /** The latest welcome (null before the first); a new one arrives after every reconnect. */
  public Value<RelayToClient.Welcome> welcome() {
    return welcome;
  }

  /** Every frame except replies to our own requests, on the socket's thread. */
  public Subscription onFrame(Consumer<RelayToClient> listener) {
    frameListeners.add(listener);
    return () -> frameListeners.remove(listener);
  }

  public void start() {
    connect();
  }

  /** Attaches now if online, and after every reconnect until {@link #detach}. */
  public void attach(String host) {
    synchronized (lock) {
      if (!attached.add(host)) {
        return;
      }
    }
    if (isOnline()) {
      send(new ClientToRelay.Attach(host, ATTACH_ID + host));
    }
  }

  public void detach(String host) {
    boolean was;
    synchronized (lock) {
      was = attached.remove(host);
    }
    if (was && isOnline()) {
      send(new ClientToRelay.Detach(host));
    }
  }

  public boolean isOnline() {
    return status.get().state() == State.ONLINE;
  }

  /**
   * Sends a host-API request and completes with the reply body. Fails with {@code unavailable}
   * at once when offline, when the connection drops, or after the request timeout; with the
   * relay's code for an {@code error} frame carrying our id (e.g. {@code host_offline}).
   */
  public CompletableFuture<JsonNode> request(String host, JsonNode body) {
    if (!isOnline()) {
      return CompletableFuture.failedFuture(
          new ClientException(ErrorCode.UNAVAILABLE, "Not connected to the relay"));
    }
    String id = "r" + ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    f.whenComplete((v, e) -> pending.remove(id));
    ScheduledFuture<?> t = timer.schedule(() -> f.completeExceptionally(new ClientException(
        ErrorCode.UNAVAILABLE, "The host did not answer in time")),
        requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    f.whenComplete((v, e) -> t.cancel(false));
    send(new ClientToRelay.Request(host, id, body));
    return f;
  }

  private void connect() {
    int gen;
    synchronized (lock) {
      if (closed) {
        return;
      }
      gen = ++generation;
    }
    log.debug("connecting to {}", socketUrl);
    http.newWebSocketBuilder()
        .connectTimeout(requestTimeout)
        .buildAsync(socketUrl, new SocketListener(gen))
        .whenComplete((ws, err) -> {
          if (err != null) {
            lost(gen, "Cannot reach the relay (" + rootMessage(err) + ")");
            return;
          }
          synchronized (lock) {
            if (closed || gen != generation) {
              ws.abort();
              return;
            }
            socket = ws;
            sendChain = CompletableFuture.completedFuture(null);
          }
          lastHeardNanos = System.nanoTime();
          send(new ClientToRelay.Hello(token));
        });
  }

  private void onWelcome(int gen, RelayToClient.Welcome w) {
    Set<String> hosts;
    synchronized (lock) {
      if (gen != generation) {
        return;
      }
      hosts = new LinkedHashSet<>(attached);
    }
    backoff.reset();
    status.set(Status.of(State.ONLINE, "Connected"));
    welcome.set(w);
    for (String h : hosts) {
      send(new ClientToRelay.Attach(h, ATTACH_ID + h));
    }
    schedulePing(gen);
  }

  private void schedulePing(int gen) {
    long every = Math.max(1000, idleTimeout.toMillis() / 3);
    ScheduledFuture<?> p = timer.scheduleAtFixedRate(() -> {
      synchronized (lock) {
        if (gen != generation) {
          return;
        }
      }
      if (System.nanoTime() - lastHeardNanos > idleTimeout.toNanos()) {
        lost(gen, "The relay stopped answering");
      } else {
        send(new ClientToRelay.Ping());
      }
    }, every, every, TimeUnit.MILLISECONDS);
    synchronized (lock) {
      if (pingTask != null) {
        pingTask.cancel(false);
      }
      pingTask = p;
    }
  }

  private void onFrame(int gen, RelayToClient frame) {
    lastHeardNanos = System.nanoTime();
    if (frame instanceof RelayToClient.Welcome) {
      onWelcome(gen, (RelayToClient.Welcome) frame);
      return;
    }
    if (frame instanceof RelayToClient.Reply) {
      RelayToClient.Reply r = (RelayToClient.Reply) frame;
      CompletableFuture<JsonNode> f = pending.get(r.id());
      if (f != null) {
        f.complete(r.body());
        return;
      }
    }
    if (frame instanceof RelayToClient.Error) {
      RelayToClient.Error e = (RelayToClient.Error) frame;
      CompletableFuture<JsonNode> f = e.id() == null ? null : pending.get(e.id());
      if (f != null) {
        f.completeExceptionally(new ClientException(e.code(), e.message()));
        return;
      }
      if (e.code() == ErrorCode.UNAUTHORIZED && !isOnline()) {
        // the relay refused our hello: the token is revoked or expired; retrying cannot help
        unauthorized(gen, e.message());
        return;
      }
      log.warn("relay error {}: {}", e.code().wire(), e.message());
    }
    if (frame instanceof RelayToClient.Pong) {
      return;
    }
    for (Consumer<RelayToClient> l : frameListeners) {
      try {
        l.accept(frame);
      } catch (RuntimeException ex) {
        log.error("frame listener failed on {}", frame.getClass().getSimpleName(), ex);
      }
    }
  }

  private void unauthorized(int gen, String message) {
    WebSocket ws;
    synchronized (lock) {
      if (gen != generation) {
        return;
      }
      closed = true;
      generation++;
      ws = socket;
      socket = null;
      cancelTimers();
    }
    if (ws != null) {
      ws.abort();
    }
    failPending("Session expired");
    status.set(Status.of(State.UNAUTHORIZED, message));
  }

  private void lost(int gen, String why) {
    WebSocket ws;
    long delay;
    synchronized (lock) {
      if (closed || gen != generation) {
        return;
      }
      generation++;
      ws = socket;
      socket = null;
      cancelTimers();
      delay = backoff.next().toMillis();
      int next = generation;
      retryTask = timer.schedule(() -> {
        synchronized (lock) {
          if (closed || next != generation) {
            return;
          }
        }
        connect();
      }, delay, TimeUnit.MILLISECONDS);
    }
    if (ws != null) {
      ws.abort();
    }
    log.info("relay connection lost: {}; retrying in {} ms", why, delay);
    failPending("Connection to the relay lost");
    status.set(new Status(State.RECONNECTING, why, System.currentTimeMillis() + delay));
  }

  /** Drops the socket as if the network failed; used by tests and the UI's "retry now". */
  public void reconnectNow() {
    int gen;
    synchronized (lock) {
      gen = generation;
      if (retryTask != null && socket == null && !closed) {
        retryTask.cancel(false);
        backoff.reset();
        connect();
        return;
      }
    }
    lost(gen, "Reconnecting");
  }

  private void cancelTimers() {
    if (retryTask != null) {
      retryTask.cancel(false);
    }
    if (pingTask != null) {
      pingTask.cancel(false);
    }
  }

  private void failPending(String why) {
    for (CompletableFuture<JsonNode> f : pending.values()) {
      f.completeExceptionally(new ClientException(ErrorCode.UNAVAILABLE, why));
    }
  }

  private void send(ClientToRelay frame) {
    String text = codec.encode(frame);
    synchronized (lock) {
      WebSocket ws = socket;
      if (ws == null) {
        return;
      }
      int gen = generation;
      sendChain = sendChain
          .handle((v, e) -> null)
          .thenCompose(v -> {
            long wait = pacer.reserve(System.nanoTime());
            if (wait <= 0) {
              return ws.sendText(text, true);
            }
            return CompletableFuture.runAsync(() -> { },
                    CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, timer))
                .thenCompose(x -> ws.sendText(text, true));
          })
          .whenComplete((v, e) -> {
            if (e != null) {
              lost(gen, "Send failed (" + rootMessage(e) + ")");
            }
          });
    }
  }

  @Override
  public void close() {
    WebSocket ws;
    synchronized (lock) {
      if (closed && status.get().state() == State.CLOSED) {
        return;
      }
      closed = true;
      generation++;
      ws = socket;
      socket = null;
      cancelTimers();
    }
    if (ws != null) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
          .orTimeout(1, TimeUnit.SECONDS)
          .whenComplete((v, e) -> ws.abort());
    }
    failPending("Closed");
    status.set(Status.of(State.CLOSED, "Signed out"));
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private final class SocketListener implements WebSocket.Listener {
    private final int gen;
    private final StringBuilder partial = new StringBuilder();

    SocketListener(int gen) {
      this.gen = gen;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          onFrame(gen, codec.decode(text, RelayToClient.class));
        } catch (ProtocolException e) {
          log.warn("ignoring a frame from the relay: {} {}", e.code().wire(), e.getMessage());
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      lost(gen, reason == null || reason.isBlank() ? "The relay closed the connection" : reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      lost(gen, rootMessage(error));
    }
  }
}
