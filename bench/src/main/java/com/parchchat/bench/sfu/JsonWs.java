package com.parchchat.bench.sfu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A small JSON-over-WebSocket client (JDK HttpClient) that records frames and lets callers wait for one. */
public final class JsonWs implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final WebSocket ws;
  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final List<Consumer<JsonNode>> listeners = new CopyOnWriteArrayList<>();

  public JsonWs(URI uri, String subprotocol) throws Exception {
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
    if (subprotocol != null) {
      b.subprotocols(subprotocol);
    }
    this.ws = b.buildAsync(uri, new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          try {
            JsonNode n = JSON.readTree(partial.toString());
            frames.add(n);
            for (Consumer<JsonNode> l : listeners) {
              l.accept(n);
            }
          } catch (Exception e) {
            throw new IllegalStateException("bad frame", e);
          } finally {
            partial.setLength(0);
          }
        }
        w.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
  }

  public void onFrame(Consumer<JsonNode> l) {
    listeners.add(l);
  }

  public synchronized void send(Object frame) {
    try {
      ws.sendText(JSON.writeValueAsString(frame), true).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("send failed", e);
    }
  }

  public JsonNode await(Predicate<JsonNode> p, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (JsonNode n : frames) {
        if (p.test(n)) {
          return n;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("no matching frame within " + timeout + "; got " + frames);
  }

  @Override
  public void close() {
    try {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      ws.abort();
    }
    CompletableFuture.runAsync(ws::abort);
  }
}
