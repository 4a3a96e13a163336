package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket peer (JDK java.net.http.WebSocket) that queues every JSON frame it receives. */
final class WsClient implements AutoCloseable {
  /** How a connection ended. */
  record Closed(int code, String reason) {}

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private WebSocket ws;
  private volatile boolean paused;

  static WsClient connect(String url) throws Exception {
    WsClient c = new WsClient();
    c.ws =
        HTTP.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create(url), c.listener())
            .get(10, TimeUnit.SECONDS);
    return c;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          try {
            frames.add(Api.JSON.readTree(partial.toString()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          partial.setLength(0);
        }
        if (!paused) {
          webSocket.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        // the JDK answers the ping itself; a paused client stops reading, so it stops answering
        if (!paused) {
          webSocket.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
      }
    };
  }

  /** Stops reading from the socket (TCP back-pressure builds up at the relay). */
  void pause() {
    paused = true;
  }

  void send(String text) {
    ws.sendText(text, true).join();
  }

  void sendJson(Object frame) {
    try {
      send(Api.JSON.writeValueAsString(frame));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void sendBinary(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** The next frame, failing after 10 s. */
  JsonNode next() {
    try {
      JsonNode n = frames.poll(10, TimeUnit.SECONDS);
      assertThat(n).as("a frame within 10 s").isNotNull();
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next frame, which must have this type. */
  JsonNode expect(String type) {
    JsonNode n = next();
    assertThat(n.path("type").asText()).as("frame %s", n).isEqualTo(type);
    return n;
  }

  /** Skips frames until one of this type arrives. */
  JsonNode await(String type) {
    while (true) {
      JsonNode n = next();
      if (n.path("type").asText().equals(type)) {
        return n;
      }
    }
  }

  /** The next frame, which must be an error with this code. */
  JsonNode expectError(String code) {
    JsonNode n = expect("error");
    assertThat(n.path("code").asText()).as("error %s", n).isEqualTo(code);
    return n;
  }

  /** No frame arrives within {@code millis}. */
  void expectSilence(long millis) throws InterruptedException {
    JsonNode n = frames.poll(millis, TimeUnit.MILLISECONDS);
    assertThat(n).as("no frame expected").isNull();
  }

  Closed awaitClose() {
    try {
      return closed.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("connection did not close within 15 s", e);
    }
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.abort();
    }
  }
}
