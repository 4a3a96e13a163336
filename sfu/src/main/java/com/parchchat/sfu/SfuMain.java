package com.parchchat.sfu;

import com.parchchat.sfu.config.SfuConfig;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command-line entry point of parch-sfu.jar. */
@Command(
    name = "parch-sfu",
    mixinStandardHelpOptions = true,
    description = "The Parch SFU: forwards Opus voice between the members of a voice channel (ICE-lite, DTLS-SRTP, one UDP port).")
public final class SfuMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(SfuMain.class);

  @Option(names = {"-c", "--config"}, description = "YAML config file (see sfu.sample.yaml)")
  Path config;

  @Option(names = "--signal-port", description = "override signalPort")
  Integer signalPort;

  @Option(names = "--media-port", description = "override mediaPort")
  Integer mediaPort;

  @Option(names = "--host", description = "with no config file: bind signalling and media here and advertise it (default 127.0.0.1)")
  String host;

  @Option(names = "--token-secret-env", description = "with no config file: environment variable holding the token secret (default PARCH_SFU_TOKEN_SECRET)")
  String tokenSecretEnv = "PARCH_SFU_TOKEN_SECRET";

  @Option(names = "--admin-secret-env", description = "with no config file: environment variable holding the admin secret (default PARCH_SFU_ADMIN_SECRET)")
  String adminSecretEnv = "PARCH_SFU_ADMIN_SECRET";

  @Option(names = "--loudest-n", description = "override loudestN")
  Integer loudestN;

  @Option(names = "--room-capacity", description = "override roomCapacity")
  Integer roomCapacity;

  @Option(names = "--send-threads", description = "override sendThreads (0 = the media thread sends every copy)")
  Integer sendThreads;

  public static void main(String[] args) {
    int code = new CommandLine(new SfuMain()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    JulBridge.install();
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      // Netty's default (SIMPLE) records a stack trace for one buffer in 128: on the media path that
      // is a Throwable and a weak reference every ~128 forwarded copies, garbage for every young GC.
      // Off in the service unless asked for with the property (the tests run it paranoid).
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    SfuConfig cfg;
    try {
      cfg = config != null ? SfuConfig.load(config) : fromEnvironment();
      if (signalPort != null || mediaPort != null) {
        cfg = cfg.withPorts(signalPort != null ? signalPort : cfg.signalPort(), mediaPort != null ? mediaPort : cfg.mediaPort());
      }
      if (loudestN != null || roomCapacity != null) {
        cfg = cfg.withRooms(roomCapacity != null ? roomCapacity : cfg.roomCapacity(),
            loudestN != null ? loudestN : cfg.loudestN());
      }
      if (sendThreads != null) {
        cfg = cfg.withSendThreads(sendThreads);
      }
    } catch (IllegalArgumentException e) {
      log.error("bad configuration: {}", e.getMessage());
      return 2;
    }
    SfuServer server = new SfuServer(cfg).start();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }, "sfu-shutdown"));
    stop.await();
    return 0;
  }

  private SfuConfig fromEnvironment() {
    String h = host == null ? "127.0.0.1" : host;
    String token = System.getenv(tokenSecretEnv);
    String admin = System.getenv(adminSecretEnv);
    if (token == null) {
      throw new IllegalArgumentException("tokenSecret: no --config and environment variable " + tokenSecretEnv + " is unset");
    }
    if (admin == null) {
      throw new IllegalArgumentException("adminSecret: no --config and environment variable " + adminSecretEnv + " is unset");
    }
    SfuConfig d = SfuConfig.defaults(token, admin, h);
    return new SfuConfig(h, d.signalPort(), h, d.mediaPort(), List.of(), token, admin, d.roomCapacity(), d.maxRooms(),
        d.loudestN(), d.maxFrameBytes(), d.speakerIntervalMillis(), d.consentTimeoutSeconds(), d.srtpProfiles(),
        d.sendThreads());
  }
}
