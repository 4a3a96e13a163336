package com.parchchat.relay.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The relay's Prometheus metrics (Micrometer), scraped at {@code GET /metrics}, plus JVM heap and
 * thread metrics. Counters are lock-free and safe to bump from event loops.
 */
public final class RelayMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger clientConnections = new AtomicInteger();
  private final AtomicInteger hostConnections = new AtomicInteger();
  private final Counter framesIn;
  private final Counter framesOut;
  private final Counter deliveries;
  private final Counter slowConsumers;
  private final Counter clientAuthFailures;
  private final Counter hostAuthFailures;
  private final Counter loginFailures;
  private final Counter rejectedFrames;

  public RelayMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    Gauge.builder("parch_relay_client_connections", clientConnections, AtomicInteger::get)
        .description("authenticated client WebSocket connections")
        .register(registry);
    Gauge.builder("parch_relay_host_connections", hostConnections, AtomicInteger::get)
        .description("authenticated host WebSocket connections")
        .register(registry);
    framesIn = Counter.builder("parch_relay_frames_in").description("WebSocket frames received").register(registry);
    framesOut = Counter.builder("parch_relay_frames_out").description("WebSocket frames sent").register(registry);
    deliveries =
        Counter.builder("parch_relay_deliveries").description("events fanned out to subscribed sessions").register(registry);
    slowConsumers =
        Counter.builder("parch_relay_slow_consumers_dropped")
            .description("connections closed because they could not keep up")
            .register(registry);
    clientAuthFailures =
        Counter.builder("parch_relay_auth_failures").tag("kind", "client").description("refused authentications").register(registry);
    hostAuthFailures =
        Counter.builder("parch_relay_auth_failures").tag("kind", "host").description("refused authentications").register(registry);
    loginFailures =
        Counter.builder("parch_relay_auth_failures").tag("kind", "login").description("refused authentications").register(registry);
    rejectedFrames =
        Counter.builder("parch_relay_rejected_frames").description("frames answered with an error").register(registry);
  }

  public AtomicInteger clientConnections() {
    return clientConnections;
  }

  public AtomicInteger hostConnections() {
    return hostConnections;
  }

  public void frameIn() {
    framesIn.increment();
  }

  public void frameOut() {
    framesOut.increment();
  }

  public void framesOut(int n) {
    framesOut.increment(n);
  }

  public void deliveries(int n) {
    deliveries.increment(n);
  }

  public void slowConsumer() {
    slowConsumers.increment();
  }

  public void clientAuthFailure() {
    clientAuthFailures.increment();
  }

  public void hostAuthFailure() {
    hostAuthFailures.increment();
  }

  public void loginFailure() {
    loginFailures.increment();
  }

  public void rejectedFrame() {
    rejectedFrames.increment();
  }

  /** The Prometheus text exposition of all metrics. */
  public String scrape() {
    return registry.scrape();
  }
}
