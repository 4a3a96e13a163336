package com.parchchat.turn.interop;

import com.parchchat.testkit.process.FreePorts;
import com.parchchat.turn.auth.RestCredentials;
import com.parchchat.turn.auth.RestCredentials.Credentials;
import com.parchchat.turn.config.TurnConfig;
import com.parchchat.turn.server.TurnServer;

/** Our server in the test JVM on 127.0.0.1 with free ports, REST-secret auth and loopback peers. */
final class InProcessTurn implements AutoCloseable {
  static final String SECRET = "webrtc-secret";
  static final String REALM = "parch.test";

  final TurnServer server;

  InProcessTurn() throws InterruptedException {
    int relayMin = FreePorts.udpRange(200);
    TurnConfig.Builder b = TurnConfig.builder();
    b.listeningIp = "127.0.0.1";
    b.listeningPort = FreePorts.tcpAndUdp();
    b.relayIp = "127.0.0.1";
    b.minPort = relayMin;
    b.maxPort = relayMin + 199;
    b.realm = REALM;
    b.useAuthSecret = true;
    b.staticAuthSecret = SECRET;
    b.allowLoopbackPeers = true;
    b.adminPort = -1;
    server = new TurnServer(b.build());
  }

  String url(String transport) {
    return "turn:127.0.0.1:" + server.port() + "?transport=" + transport;
  }

  Credentials credentials(String user) {
    return RestCredentials.mint(SECRET, System.currentTimeMillis() / 1000 + 3600, user);
  }

  @Override
  public void close() {
    server.close();
  }
}
