package com.parchchat.sfu.support;


import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A JDK WebSocket client speaking the SFU's signalling frames; records every frame received. */
public final class SignalClient implements AutoCloseable {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();

  private final WebSocket ws;
  private final List<SfuToClient> frames = new CopyOnWriteArrayList<>();
  private final List<String> raw = new CopyOnWriteArrayList<>();
  private final List<Consumer<SfuToClient>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closedByServer;

  public SignalClient(URI uri) throws Exception {
    this.ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(uri, new Listener()).get(5, TimeUnit.SECONDS);
  }

  public void onFrame(Consumer<SfuToClient> l) {
    listeners.add(l);
  }

  public void send(ClientToSfu frame) {
    sendRaw(CODEC.encode(frame));
  }

  public synchronized void sendRaw(String text) {
    ws.sendText(text, true).join();
  }

  public List<SfuToClient> frames() {
    return new ArrayList<>(frames);
  }

  public List<String> rawFrames() {
    return new ArrayList<>(raw);
  }

  public boolean closedByServer() {
    return closedByServer;
  }

  @SuppressWarnings("unchecked")
  public <T extends SfuToClient> T await(Class<T> type, Duration timeout) {
    Object[] box = new Object[1];
    org.awaitility.Awaitility.await().atMost(timeout).until(() -> {
      for (SfuToClient f : frames) {
        if (type.isInstance(f)) {
          box[0] = f;
          return true;
        }
      }
      return false;
    });
    return (T) box[0];
  }

  @Override
  public void close() {
    try {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      ws.abort();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        raw.add(text);
        try {
          SfuToClient f = CODEC.decode(text, SfuToClient.class);
          frames.add(f);
          for (Consumer<SfuToClient> l : listeners) {
            l.accept(f);
          }
        } catch (ProtocolException e) {
          throw new IllegalStateException("SFU sent an undecodable frame: " + text, e);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closedByServer = true;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closedByServer = true;
    }
  }
}
