package com.parchchat.e2e.voice;

import com.parchchat.testkit.netns.NetNs;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole voice path as real processes from the built jars: relay (accounts, routing, SFU and TURN
 * credentials), host (membership, voice authorization, capacity), SFU and our TURN server, all bound to
 * one address — loopback, or the public address of a namespace the test made. The relay holds the
 * only copies of the SFU and TURN secrets (fresh random ones per stack), as in production.
 */
final class VoiceStack implements AutoCloseable {
  private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
  private static final Pattern RELAY_LISTENING = Pattern.compile("relay listening on http://[^:]+:(\\d+)");
  private static final Duration START = Duration.ofSeconds(120); // a loaded 2-core CI machine

  final String address;
  final URI relayUrl;
  final String hostKey;
  final int sfuSignalPort;
  final int sfuMediaPort;
  final int turnPort;
  private final List<ServiceProcess> processes = new ArrayList<>();
  private final Path dir;
  private final NetNs ns;
  private Path sfuYaml;
  private ServiceProcess sfu;
  private int sfuStarts;

  private VoiceStack(Path dir, String address, NetNs ns, int voiceCapacity) {
    this.address = address;
    this.dir = dir;
    this.ns = ns;
    boolean inNs = ns != null;
    String sfuSecret = secret();
    String adminSecret = secret();
    String turnSecret = secret();
    try {
      sfuSignalPort = inNs ? 7880 : FreePorts.tcp();
      sfuMediaPort = inNs ? 7882 : FreePorts.udp();
      turnPort = inNs ? 3478 : FreePorts.tcpAndUdp();
      int relayMin = inNs ? 50000 : FreePorts.udpRange(40);
      Files.createDirectories(dir);

      // SFU first (its DTLS and SRTP warm-up takes the longest), TURN next, then relay and host
      sfuYaml = dir.resolve("sfu.yaml");
      Files.writeString(sfuYaml, String.join("\n",
          "signalHost: " + address, "signalPort: " + sfuSignalPort,
          "mediaHost: " + address, "mediaPort: " + sfuMediaPort, "advertisedAddresses: []",
          "tokenSecret: " + sfuSecret, "adminSecret: " + adminSecret,
          "roomCapacity: 50", "maxRooms: 100", "loudestN: 0", "maxFrameBytes: 65536",
          "speakerIntervalMillis: 300", "consentTimeoutSeconds: 30",
          "srtpProfiles: [AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80]", ""));
      sfu = start(ns, "sfu", dir, VoiceE2ETest.jar("sfu"), List.of("--config", sfuYaml.toString()));
      sfuStarts = 1;

      List<String> turnArgs = new ArrayList<>(List.of("--listening-ip", address, "--listening-port", "" + turnPort,
          "--relay-ip", address, "--min-port", "" + relayMin, "--max-port", "" + (relayMin + 39),
          "--realm", "parch.test", "--use-auth-secret", "--static-auth-secret=" + turnSecret,
          "--admin-port", "-1"));
      if (!inNs) {
        turnArgs.add("--allow-loopback-peers"); // the SFU is a loopback peer here
      }
      ServiceProcess turn = start(ns, "turn", dir, VoiceE2ETest.jar("turn"), turnArgs);

      Path relayYaml = dir.resolve("relay.yaml");
      Files.writeString(relayYaml, String.join("\n", "voice:",
          "  sfuSecret: " + sfuSecret, "  sfuAdminSecret: " + adminSecret, "  turnSecret: " + turnSecret, ""));
      ServiceProcess relay = start(ns, "relay", dir, VoiceE2ETest.jar("relay"), List.of(
          "--config", relayYaml.toString(), "--bind", address, "--port", "0",
          "--data-dir", dir.resolve("relay-data").toString(), "--argon2-memory-kib", "1024",
          "--sfu-url", "ws://" + address + ":" + sfuSignalPort + "/ws",
          "--sfu-admin-url", "http://" + address + ":" + sfuSignalPort,
          "--turn-url", "turn:" + address + ":" + turnPort + "?transport=udp"));
      relay.awaitLine(RELAY_LISTENING, START);
      Matcher m = RELAY_LISTENING.matcher(relay.output());
      if (!m.find()) {
        throw new IllegalStateException("relay did not log its port");
      }
      relayUrl = URI.create("http://" + address + ":" + m.group(1));
      sfu.awaitLine(Pattern.compile("SFU ready in"), START);
      turn.awaitLine(Pattern.compile("TURN listening on"), START);

      Path hostDir = dir.resolve("host-data");
      Files.createDirectories(hostDir);
      Files.writeString(hostDir.resolve("host.yaml"), "relay: " + relayUrl + "\nname: Voice Host\n"
          + "voiceCapacity: " + voiceCapacity + "\n");
      ServiceProcess host = start(ns, "host", dir, VoiceE2ETest.jar("host"), List.of(
          "--data-dir", hostDir.toString(), "--relay", relayUrl.toString(), "--name", "Voice Host"));
      host.awaitLine(HOST_KEY, START);
      Matcher k = HOST_KEY.matcher(host.output());
      if (!k.find()) {
        throw new IllegalStateException("no Host Key in the host's output");
      }
      hostKey = k.group(1);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Everything on 127.0.0.1. */
  static VoiceStack loopback(Path dir, int voiceCapacity) {
    return new VoiceStack(dir, "127.0.0.1", null, voiceCapacity);
  }

  /** Everything inside {@code ns}, bound to {@code address} (the namespace's public address). */
  static VoiceStack inNamespace(Path dir, NetNs ns, String address, int voiceCapacity) {
    return new VoiceStack(dir, address, ns, voiceCapacity);
  }

  private ServiceProcess start(NetNs ns, String name, Path dir, Path jar, List<String> args) {
    ServiceProcess.Builder b = ServiceProcess.builder(name)
        .jar(jar, List.of("-Xmx256m", "-XX:+UseSerialGC"), args)
        .logDir(dir.resolve(name + "-logs"));
    if (ns != null) {
      b.inNamespace(ns.name());
    }
    ServiceProcess p = b.start();
    processes.add(p);
    return p;
  }

  /** The SFU process's id (it changes with {@link #startSfu()}). */
  long sfuPid() {
    return sfu.pid();
  }

  /** SIGKILL to the SFU process (no goodbye to anybody), waiting until it is gone. */
  void killSfu() {
    sfu.process().destroyForcibly();
    try {
      if (!sfu.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new IllegalStateException("SFU pid " + sfu.pid() + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Starts the SFU again with the same configuration (same ports and secrets) and waits until it is
   * ready; its log is {@code sfu-<n>}.
   */
  void startSfu() {
    sfuStarts++;
    sfu = start(ns, "sfu-" + sfuStarts, dir, VoiceE2ETest.jar("sfu"), List.of("--config", sfuYaml.toString()));
    sfu.awaitLine(Pattern.compile("SFU ready in"), START);
  }

  /** Everything a service has logged so far ({@code relay}, {@code host}, {@code sfu}, {@code turn}). */
  String output(String service) {
    return processes.stream().filter(p -> p.name().equals(service)).findFirst()
        .map(ServiceProcess::output).orElseThrow();
  }

  /** The last lines of every service's log, for a failure message. */
  String logs() {
    StringBuilder sb = new StringBuilder();
    for (ServiceProcess p : processes) {
      sb.append("---- ").append(p.name()).append('\n').append(p.tail(25)).append('\n');
    }
    return sb.toString();
  }

  private static String secret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).stop(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        processes.get(i).close();
      }
    }
    processes.clear();
  }
}
