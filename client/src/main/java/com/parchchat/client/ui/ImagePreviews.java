package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.protocol.signal.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javafx.scene.image.Image;

/**
 * Fetches image URLs found in messages for inline display, only after checking them: http(s)
 * only, the server must say {@code image/png|jpeg|gif|bmp}, at most {@link #MAX_BYTES} bytes
 * (read with a hard cap, whatever Content-Length claims), and it must decode to a picture no
 * larger than {@link #MAX_SIDE} pixels a side. Anything else is silently not previewed (the link
 * stays clickable). Results are cached (LRU) so scrolling does not refetch.
 */
final class ImagePreviews {
  static final int MAX_BYTES = 5 * 1024 * 1024;
  static final int MAX_SIDE = 8192;
  private static final Set<String> TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/bmp");
  private static final int CACHE = 64;

  private final HttpClient http;
  private final Map<String, CompletableFuture<Image>> cache = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Image>> e) {
      return size() > CACHE;
    }
  };

  ImagePreviews(HttpClient http) {
    this.http = http;
  }

  synchronized CompletableFuture<Image> load(String url) {
    return cache.computeIfAbsent(url, this::fetch);
  }

  private CompletableFuture<Image> fetch(String url) {
    if (!MessageText.isSafeLink(url)) {
      return CompletableFuture.failedFuture(new ClientException(ErrorCode.BAD_REQUEST, "not an http(s) URL"));
    }
    HttpRequest req;
    try {
      req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new ClientException(ErrorCode.BAD_REQUEST, "bad URL"));
    }
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream()).thenApply(resp -> {
      try (InputStream in = resp.body()) {
        String type = resp.headers().firstValue("Content-Type").orElse("")
            .split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (resp.statusCode() != 200 || !TYPES.contains(type)) {
          throw new ClientException(ErrorCode.BAD_REQUEST, "not an image (" + resp.statusCode() + " " + type + ")");
        }
        byte[] data = in.readNBytes(MAX_BYTES + 1);
        if (data.length > MAX_BYTES) {
          throw new ClientException(ErrorCode.TOO_LARGE, "image larger than " + MAX_BYTES + " bytes");
        }
        Image img = new Image(new ByteArrayInputStream(data));
        if (img.isError() || img.getWidth() < 1 || img.getWidth() > MAX_SIDE || img.getHeight() > MAX_SIDE) {
          throw new ClientException(ErrorCode.BAD_REQUEST, "image does not decode or is too large");
        }
        return img;
      } catch (IOException e) {
        throw new ClientException(ErrorCode.UNAVAILABLE, "image download failed", e);
      }
    });
  }
}
