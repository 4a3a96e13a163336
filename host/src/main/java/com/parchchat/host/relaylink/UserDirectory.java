package com.parchchat.host.relaylink;

import com.parchchat.host.auth.HostApiException;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.UserRef;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resolves usernames through the relay ({@code user.lookup} → {@code user.lookup.result}); the
 * relay is the authority on accounts. Lookups that get no answer fail with {@code unavailable}.
 */
public final class UserDirectory {
  private final Outbox outbox;
  private final long timeoutMillis;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<String, CompletableFuture<Optional<UserRef>>> pending = new ConcurrentHashMap<>();

  public UserDirectory(Outbox outbox, long timeoutMillis) {
    this.outbox = outbox;
    this.timeoutMillis = timeoutMillis;
  }

  public CompletableFuture<Optional<UserRef>> lookup(String username) {
    String id = "lookup-" + ids.incrementAndGet();
    CompletableFuture<Optional<UserRef>> f = new CompletableFuture<>();
    pending.put(id, f);
    f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(id));
    outbox.send(new HostToRelay.UserLookup(id, username));
    return f.exceptionally(e -> {
      if (e instanceof java.util.concurrent.TimeoutException
          || e.getCause() instanceof java.util.concurrent.TimeoutException) {
        throw new HostApiException(ErrorCode.UNAVAILABLE, "the relay did not answer the user lookup");
      }
      throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    });
  }

  /** Completes a pending lookup; returns false when the id was not ours. */
  public boolean complete(RelayToHost.UserLookupResult result) {
    CompletableFuture<Optional<UserRef>> f = pending.remove(result.id());
    if (f == null) {
      return false;
    }
    f.complete(Optional.ofNullable(result.user()));
    return true;
  }

  /** Fails a pending lookup the relay refused; returns false when the id was not ours. */
  public boolean fail(String id, ErrorCode code, String message) {
    CompletableFuture<Optional<UserRef>> f = id == null ? null : pending.remove(id);
    if (f == null) {
      return false;
    }
    f.completeExceptionally(new HostApiException(code == ErrorCode.NOT_FOUND ? ErrorCode.NOT_FOUND : ErrorCode.UNAVAILABLE,
        "user lookup failed: " + message));
    return true;
  }

  /** The relay connection dropped: nothing pending will be answered. */
  public void failAll() {
    for (String id : pending.keySet()) {
      fail(id, ErrorCode.UNAVAILABLE, "relay connection lost");
    }
  }
}
