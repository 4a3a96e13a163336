package com.parchchat.turn.server;

import com.parchchat.turn.config.TurnConfig;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.function.Consumer;

/** An in-process server on loopback with free ports and REST-secret auth. */
public final class TestServers {
  public static final String SECRET = "test-secret";
  public static final String REALM = "parch.test";

  private TestServers() {}

  public static TurnServer start(Clock clock, Consumer<TurnConfig.Builder> tweak) throws InterruptedException {
    TurnConfig.Builder b = TurnConfig.builder();
    b.listeningIp = "127.0.0.1";
    b.listeningPort = 0;
    b.relayIp = "127.0.0.1";
    b.minPort = 45000;
    b.maxPort = 46999;
    b.realm = REALM;
    b.useAuthSecret = true;
    b.staticAuthSecret = SECRET;
    b.allowLoopbackPeers = true;
    b.adminIp = "127.0.0.1";
    b.adminPort = 0;
    b.threads = 2;
    tweak.accept(b);
    return new TurnServer(b.build(), clock);
  }

  public static InetSocketAddress address(TurnServer s) {
    return new InetSocketAddress("127.0.0.1", s.port());
  }
}
