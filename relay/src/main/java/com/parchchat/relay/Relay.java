package com.parchchat.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.relay.account.AccountService;
import com.parchchat.relay.account.PasswordHasher;
import com.parchchat.relay.config.RelayConfig;
import com.parchchat.relay.config.VoiceConfig;
import com.parchchat.relay.credentials.DevSecrets;
import com.parchchat.relay.credentials.SfuAdminClient;
import com.parchchat.relay.credentials.VoiceCredentials;
import com.parchchat.relay.host.HostRegistry;
import com.parchchat.relay.http.RelayServer;
import com.parchchat.relay.http.RelayServices;
import com.parchchat.relay.mail.ConsoleMailer;
import com.parchchat.relay.mail.Mailer;
import com.parchchat.relay.mail.SmtpMailer;
import com.parchchat.relay.metrics.RelayMetrics;
import com.parchchat.relay.routing.Router;
import com.parchchat.relay.store.HostStore;
import com.parchchat.relay.store.PasswordResetStore;
import com.parchchat.relay.store.RelayDatabase;
import com.parchchat.relay.store.SessionStore;
import com.parchchat.relay.store.UserStore;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running relay: wires config, database, accounts, host registry, router, credentials and the
 * Netty server. {@link #start(RelayConfig)} is what {@code parch-relay.jar} and the tests call;
 * {@link #close()} shuts down gracefully (stop accepting, tell every peer, drain, stop).
 */
public final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  private final RelayConfig config;
  private final RelayDatabase db;
  private final ThreadPoolExecutor blocking;
  private final ScheduledExecutorService housekeeping;
  private final Router router;
  private final RelayServer server;
  private boolean closed;

  private Relay(RelayConfig config) throws InterruptedException {
    VoiceConfig voice = DevSecrets.fill(config.voice(), config.dataDir());
    this.config = config;
    this.db = RelayDatabase.open(config.databaseFile());
    AtomicInteger threadNo = new AtomicInteger();
    this.blocking =
        new ThreadPoolExecutor(
            config.accounts().hashingThreads(),
            config.accounts().hashingThreads(),
            60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(4096),
            r -> {
              Thread t = new Thread(r, "relay-blocking-" + threadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    RelayMetrics metrics = new RelayMetrics();
    SignalCodec codec = new SignalCodec(config.limits().protocolLimits());
    ObjectMapper json = SignalCodec.newObjectMapper();
    Mailer mailer = config.mail().smtp() ? new SmtpMailer(config.mail()) : new ConsoleMailer();
    AccountService accounts =
        new AccountService(
            new UserStore(db),
            new SessionStore(db),
            new PasswordResetStore(db),
            new PasswordHasher(config.accounts()),
            mailer,
            config.accounts(),
            config.limits(),
            config.publicUrl(),
            System::currentTimeMillis);
    HostRegistry hosts =
        new HostRegistry(new HostStore(db), config.limits().hostRegisterPerIpPerHour(), System::currentTimeMillis);
    VoiceCredentials credentials =
        new VoiceCredentials(
            voice, new SfuAdminClient(voice.sfuAdminUrl(), voice.sfuAdminSecret()), codec, System::currentTimeMillis);
    this.router = new Router(codec, metrics, config.limits(), credentials, blocking, accounts::lookup);
    accounts.setRevocationListener(router::loginSessionsRevoked);
    RelayServices services =
        new RelayServices(config, codec, json, accounts, hosts, router, metrics, blocking);
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "relay-housekeeping");
              t.setDaemon(true);
              return t;
            });
    housekeeping.scheduleWithFixedDelay(
        () -> {
          try {
            accounts.housekeeping();
          } catch (RuntimeException e) {
            log.warn("housekeeping failed: {}", e.getMessage());
          }
        },
        1, 10, TimeUnit.MINUTES);
    try {
      this.server = new RelayServer(services);
    } catch (RuntimeException | InterruptedException e) {
      housekeeping.shutdownNow();
      blocking.shutdownNow();
      db.close();
      throw e;
    }
  }

  /** Opens the database (migrating it), and binds the port. */
  public static Relay start(RelayConfig config) throws InterruptedException {
    return new Relay(config);
  }

  /** The bound port (useful with {@code port: 0}). */
  public int port() {
    return server.port();
  }

  /**
   * Graceful shutdown: stop accepting, send every peer a "going away" close frame, wait up to
   * {@code limits.shutdownDrainSeconds} for connections to drain, then stop threads and close the
   * database.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("relay shutting down");
    server.stopAccepting();
    router.closeAll(1001, "relay shutting down");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.limits().shutdownDrainSeconds());
    while (router.clientCount() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.close();
    housekeeping.shutdownNow();
    blocking.shutdown();
    try {
      if (!blocking.awaitTermination(5, TimeUnit.SECONDS)) {
        blocking.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    db.close();
    log.info("relay stopped");
  }
}
