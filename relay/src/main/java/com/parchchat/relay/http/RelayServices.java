package com.parchchat.relay.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.relay.account.AccountService;
import com.parchchat.relay.config.RelayConfig;
import com.parchchat.relay.host.HostRegistry;
import com.parchchat.relay.metrics.RelayMetrics;
import com.parchchat.relay.routing.Router;
import java.util.concurrent.ExecutorService;

/**
 * What the Netty handlers use. {@code blocking} runs Argon2id and SQLite work, never an event loop.
 */
public record RelayServices(
    RelayConfig config,
    SignalCodec codec,
    ObjectMapper json,
    AccountService accounts,
    HostRegistry hosts,
    Router router,
    RelayMetrics metrics,
    ExecutorService blocking) {}
