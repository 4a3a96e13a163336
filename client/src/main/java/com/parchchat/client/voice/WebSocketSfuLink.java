package com.parchchat.client.voice;

import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuToClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU signalling WebSocket (JDK {@link HttpClient}), one JSON frame per text message, decoded with
 * the shared {@link SignalCodec}. Sends are chained so they never overlap (the JDK WebSocket forbids
 * that). A frame that does not decode is logged and dropped; the connection stays up.
 */
public final class WebSocketSfuLink implements SfuLink {

  private static final Logger log = LoggerFactory.getLogger(WebSocketSfuLink.class);

  private final URI url;
  private final HttpClient http;
  private final SignalCodec codec;
  private final Duration connectTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private final Object sendLock = new Object();
  private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
  private volatile WebSocket socket;
  private volatile Consumer<String> onClosed;

  public WebSocketSfuLink(URI url, HttpClient http, SignalCodec codec, Duration connectTimeout) {
    this.url = url;
    this.http = http;
    this.codec = codec;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public void start(Consumer<SfuToClient> onFrame, Consumer<String> onClosed) {
    this.onClosed = onClosed;
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (partial.length() > codec.maxBytesFor(SfuToClient.class)) {
          reportClosed("frame from SFU exceeds the size limit");
          ws.abort();
          return null;
        }
        if (last) {
          String text = partial.toString();
          partial.setLength(0);
          try {
            onFrame.accept(codec.decode(text, SfuToClient.class));
          } catch (ProtocolException e) {
            log.warn("dropping undecodable SFU frame: {}", e.getMessage());
          } catch (RuntimeException e) {
            log.warn("SFU frame handler failed", e);
          }
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        reportClosed("SFU closed the connection (" + statusCode + (reason.isEmpty() ? "" : ": " + reason) + ")");
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        reportClosed("SFU connection failed: " + error.getMessage());
      }
    };
    try {
      socket = http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(url, listener)
          .get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VoiceException("interrupted connecting to the SFU", e);
    } catch (Exception e) {
      throw new VoiceException("cannot connect to the SFU at " + url + ": " + e.getMessage(), e);
    }
    if (closed.get()) {
      socket.abort();
    }
  }

  @Override
  public void send(ClientToSfu frame) {
    WebSocket ws = socket;
    if (ws == null || closed.get()) {
      throw new VoiceException("SFU link is not open");
    }
    String text = codec.encode(frame);
    synchronized (sendLock) {
      sendChain = sendChain.exceptionally(e -> null).thenCompose(x -> ws.sendText(text, true))
          .whenComplete((x, e) -> {
            if (e != null) {
              log.warn("sending {} to the SFU failed: {}", frame.getClass().getSimpleName(), e.getMessage());
            }
          });
    }
  }

  private void reportClosed(String detail) {
    if (closeReported.compareAndSet(false, true)) {
      Consumer<String> c = onClosed;
      if (c != null) {
        c.accept(detail);
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeReported.set(true);
      WebSocket ws = socket;
      if (ws != null) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS)
            .whenComplete((x, e) -> ws.abort());
      }
    }
  }
}
