package com.parchchat.client.core;

import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headless client: one account at one relay, its relay connection and the hosts the user
 * added. The UI, tests and bots all drive the app through this class.
 *
 * <p>Lifecycle: {@link #login}/{@link #register}/{@link #resume} open a {@link RelayConnection}
 * and one {@link HostSession} per saved host; {@link #logout} revokes the token and closes them.
 * All observable state is in {@link Value}s, whose listeners run on network threads.
 */
public final class ParchClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ParchClient.class);

  /** Who is signed in, where. The token is a secret and not in {@link #toString()}. */
  public record Account(URI relay, UserRef user, String token) {
    @Override
    public String toString() {
      return "Account[relay=" + relay + ", user=" + user + ", token=***]";
    }
  }

  private final ClientConfig config;
  private final LocalStore store;
  private final HttpClient http;
  private final SignalCodec codec = SignalCodec.withDefaults();
  private final ScheduledExecutorService timer;
  private final boolean ownsTimer;
  private final Value<Account> account = new Value<>(null);
  private final Value<RelayConnection.Status> connection =
      new Value<>(new RelayConnection.Status(RelayConnection.State.CLOSED, "Signed out", 0));
  private final Value<List<HostSession>> hosts = new Value<>(List.of());
  private final Map<String, HostSession> sessions = new LinkedHashMap<>();
  private final Value<List<Notice>> notices = new Value<>(List.of());
  private RelayConnection relay;
  private final List<Subscription> relaySubs = new ArrayList<>();

  /** A one-off thing to tell the user (an invite arrived, you were mentioned, kicked…). */
  public record Notice(String hostKey, String text, long atMillis) {}

  public ParchClient(ClientConfig config) {
    this(config, HttpClient.newBuilder()
        .connectTimeout(config.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build(), null);
  }

  /**
   * A client on a caller's HTTP client and timer, for tools that run many clients in one JVM (the
   * soak bench runs 500): each {@link #ParchClient(ClientConfig)} has its own HTTP client (a selector
   * thread and a worker pool) and timer thread. The caller owns both: {@link #close()} shuts down
   * neither. {@code timer} must have threads enough for every client's pings, timeouts and
   * housekeeping; its tasks are short and never block. A null {@code timer}: the client makes its own.
   */
  public ParchClient(ClientConfig config, HttpClient http, ScheduledExecutorService timer) {
    this.config = config;
    this.store = new LocalStore(config.configDir());
    this.http = Objects.requireNonNull(http, "http");
    this.ownsTimer = timer == null;
    this.timer = timer != null ? timer : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parch-client-timer");
      t.setDaemon(true);
      return t;
    });
  }

  public ClientConfig config() {
    return config;
  }

  public LocalStore store() {
    return store;
  }

  public HttpClient http() {
    return http;
  }

  SignalCodec codec() {
    return codec;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  public Value<Account> account() {
    return account;
  }

  public Value<RelayConnection.Status> connection() {
    return connection;
  }

  public Value<List<HostSession>> hosts() {
    return hosts;
  }

  public Value<List<Notice>> notices() {
    return notices;
  }

  public AccountClient accounts(URI relay) {
    return new AccountClient(relay, http, config.requestTimeout());
  }

  public CompletableFuture<UserRef> login(URI relayUrl, String username, String password, boolean remember) {
    return accounts(relayUrl).login(username, password).thenApply(l -> {
      signedIn(relayUrl, l.user(), l.token(), remember);
      return l.user();
    });
  }

  /** Registers, then logs in with the same credentials (the session is remembered). */
  public CompletableFuture<UserRef> register(
      URI relayUrl, String username, String displayName, String email, String password) {
    return accounts(relayUrl).register(username, displayName, email, password)
        .thenCompose(u -> login(relayUrl, username, password, true));
  }

  public CompletableFuture<Void> requestPasswordReset(URI relayUrl, String login) {
    return accounts(relayUrl).requestPasswordReset(login);
  }

  public CompletableFuture<Void> confirmPasswordReset(URI relayUrl, String token, String password) {
    return accounts(relayUrl).confirmPasswordReset(token, password);
  }

  /** The remembered session, if the user chose "keep me signed in". */
  public Optional<LocalStore.SavedSession> rememberedSession() {
    return store.session();
  }

  /**
   * Signs in with a remembered token after checking it at the relay. An {@code unauthorized}
   * answer forgets the token (it was revoked or expired); other failures keep it for a retry.
   */
  public CompletableFuture<UserRef> resume(LocalStore.SavedSession saved) {
    URI relayUrl = RelayUrls.parse(saved.relayUrl());
    return accounts(relayUrl).me(saved.token()).handle((u, err) -> {
      if (err != null) {
        ClientException ce = ClientException.of(err);
        if (ce.code() == ErrorCode.UNAUTHORIZED) {
          store.clearSession();
        }
        throw ce;
      }
      signedIn(relayUrl, u, saved.token(), true);
      return u;
    });
  }

  private synchronized void signedIn(URI relayUrl, UserRef user, String token, boolean remember) {
    closeRelay();
    if (remember) {
      store.saveSession(new LocalStore.SavedSession(relayUrl.toString(), user.username(), token));
    } else {
      store.clearSession();
    }
    LocalStore.Settings s = store.settings();
    store.saveSettings(new LocalStore.Settings(s.theme(), relayUrl.toString()));
    account.set(new Account(relayUrl, user, token));
    relay = new RelayConnection(relayUrl, token, http, timer,
        new Backoff(config.reconnectBase(), config.reconnectMax()),
        config.requestTimeout(), config.idleTimeout(), codec, config.maxFramesPerSecond());
    relaySubs.add(relay.status().listen(st -> {
      connection.set(st);
      if (st.state() == RelayConnection.State.UNAUTHORIZED) {
        log.info("the relay no longer accepts our session; signing out");
        store.clearSession();
        timer.execute(this::dropSession);
      }
    }));
    relaySubs.add(relay.onFrame(this::route));
    relaySubs.add(relay.welcome().listen(w -> {
      if (w != null) {
        account.update(a -> a == null ? null : new Account(a.relay(), w.user(), a.token()));
      }
    }));
    connection.set(relay.status().get());
    for (LocalStore.SavedHost h : store.hosts()) {
      openHost(h);
    }
    publishHosts();
    relay.start();
  }

  /** Adds a host by its Host Key (saved in hosts.json) and attaches to it. */
  public synchronized HostSession addHost(String pastedKey) {
    String key = HostKeys.normalize(pastedKey);
    store.addHost(new LocalStore.SavedHost(key, ""));
    HostSession s = sessions.get(key);
    if (s == null) {
      s = openHost(new LocalStore.SavedHost(key, ""));
      publishHosts();
    }
    return s;
  }

  public synchronized void removeHost(String hostKey) {
    store.removeHost(hostKey);
    HostSession s = sessions.remove(hostKey);
    if (s != null) {
      s.close();
    }
    publishHosts();
  }

  public synchronized Optional<HostSession> host(String hostKey) {
    return Optional.ofNullable(sessions.get(hostKey));
  }

  private HostSession openHost(LocalStore.SavedHost saved) {
    if (relay == null) {
      throw new ClientException(ErrorCode.UNAUTHORIZED, "Sign in first");
    }
    HostSession s = new HostSession(this, relay, saved.hostKey(), saved.name());
    sessions.put(saved.hostKey(), s);
    s.start();
    return s;
  }

  void rememberHostName(String hostKey, String name) {
    synchronized (this) {
      if (!sessions.containsKey(hostKey)) {
        return;
      }
    }
    for (LocalStore.SavedHost h : store.hosts()) {
      if (h.hostKey().equals(hostKey) && !h.name().equals(name)) {
        store.addHost(new LocalStore.SavedHost(hostKey, name));
      }
    }
  }

  void notice(String hostKey, String text) {
    Notice n = new Notice(hostKey, text, System.currentTimeMillis());
    notices.update(list -> {
      List<Notice> next = new ArrayList<>(list);
      next.add(n);
      return next.size() > 50 ? List.copyOf(next.subList(next.size() - 50, next.size())) : List.copyOf(next);
    });
  }

  private void publishHosts() {
    hosts.set(List.copyOf(sessions.values()));
  }

  private void route(RelayToClient frame) {
    String host = null;
    if (frame instanceof RelayToClient.Event) {
      host = ((RelayToClient.Event) frame).host();
    } else if (frame instanceof RelayToClient.Notification) {
      host = ((RelayToClient.Notification) frame).host();
    } else if (frame instanceof RelayToClient.HostStatus) {
      host = ((RelayToClient.HostStatus) frame).host();
    } else if (frame instanceof RelayToClient.Reply) {
      return;
    } else if (frame instanceof RelayToClient.Error) {
      RelayToClient.Error e = (RelayToClient.Error) frame;
      if (e.id() != null && e.id().startsWith(RelayConnection.ATTACH_ID)) {
        host = e.id().substring(RelayConnection.ATTACH_ID.length());
      } else {
        log.warn("relay error without a pending request: {} {}", e.code().wire(), e.message());
        return;
      }
    }
    HostSession s;
    synchronized (this) {
      s = host == null ? null : sessions.get(host);
    }
    if (s != null) {
      s.onFrame(frame);
    }
  }

  /** Revokes the session at the relay (best effort), forgets it locally and disconnects. */
  public CompletableFuture<Void> logout() {
    Account a = account.get();
    store.clearSession();
    dropSession();
    if (a == null) {
      return CompletableFuture.completedFuture(null);
    }
    return accounts(a.relay()).logout(a.token()).exceptionally(e -> {
      log.info("logout at the relay failed ({}); the token is forgotten locally", e.getMessage());
      return null;
    });
  }

  private synchronized void dropSession() {
    closeRelay();
    account.set(null);
  }

  private void closeRelay() {
    for (HostSession s : sessions.values()) {
      s.close();
    }
    sessions.clear();
    publishHosts();
    relaySubs.forEach(Subscription::close);
    relaySubs.clear();
    if (relay != null) {
      relay.close();
      relay = null;
    }
    connection.set(new RelayConnection.Status(RelayConnection.State.CLOSED, "Signed out", 0));
  }

  /** For tests: drops the relay socket as a network failure would. */
  public synchronized void simulateNetworkDrop() {
    if (relay != null) {
      relay.reconnectNow();
    }
  }

  public CompletableFuture<Void> changePassword(String current, String next) {
    Account a = requireAccount();
    return accounts(a.relay()).changePassword(a.token(), current, next);
  }

  public CompletableFuture<UserRef> changeDisplayName(String name) {
    Account a = requireAccount();
    return accounts(a.relay()).changeDisplayName(a.token(), name).thenApply(u -> {
      account.update(x -> x == null ? null : new Account(x.relay(), u, x.token()));
      return u;
    });
  }

  private Account requireAccount() {
    Account a = account.get();
    if (a == null) {
      throw new ClientException(ErrorCode.UNAUTHORIZED, "Not signed in");
    }
    return a;
  }

  @Override
  public synchronized void close() {
    closeRelay();
    if (ownsTimer) {
      timer.shutdownNow();
    }
  }
}
