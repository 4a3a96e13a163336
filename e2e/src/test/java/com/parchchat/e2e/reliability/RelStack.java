package com.parchchat.e2e.reliability;

import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;

/**
 * The reliability tests' relay and host: a {@link ParchStack} with a relay YAML of the test's choosing
 * (raised registration limits for many users, short HTTP read timeout, …), a host with a raised
 * per-user message rate (tests post many messages) and a relay reconnect back-off capped at 1 s (the
 * default cap, 30 s, lets a host that lost the relay for 6 s wait up to ~10 s more after the relay is
 * back).
 */
final class RelStack {
  private RelStack() {
  }

  static ParchStack start(Path dir, String relayYaml, String hostName) {
    return start(dir, relayYaml, hostName, "127.0.0.1");
  }

  /** Relay and host listening on {@code address} (e.g. the root end of a veth the test made). */
  static ParchStack start(Path dir, String relayYaml, String hostName, String address) {
    return ParchStack.builder(dir)
        .address(address)
        .relayYaml(relayYaml)
        .host(hostName)
        .hostYaml("messageBurst: 1000\nmessagesPerSecond: 1000.0\nreconnectMinMillis: 250\nreconnectMaxMillis: 1000\n")
        .start();
  }

  /** The built jar of {@code module} (see {@link ParchStack#jar(String)}). */
  static Path jar(String module) {
    return ParchStack.jar(module);
  }
}
