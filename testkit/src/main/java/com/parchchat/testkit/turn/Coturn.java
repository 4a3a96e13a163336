package com.parchchat.testkit.turn;

import com.parchchat.testkit.netns.NetNs;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's coturn ({@code /usr/bin/turnserver}) as a reference TURN server on 127.0.0.1, with
 * REST-secret auth ({@code --use-auth-secret}), free listening port and relay port range, and
 * loopback peers allowed. The foreign baseline our own TURN server is compared against.
 */
public final class Coturn implements AutoCloseable {

    public static final String BINARY = "/usr/bin/turnserver";

    private final ServiceProcess process;
    private final String secret;
    private final String realm;
    private final String host;
    private final int port;
    private final int minRelayPort;
    private final int maxRelayPort;

    private Coturn(ServiceProcess process, String secret, String realm, String host, int port, int minRelayPort,
                   int maxRelayPort) {
        this.process = process;
        this.secret = secret;
        this.realm = realm;
        this.host = host;
        this.port = port;
        this.minRelayPort = minRelayPort;
        this.maxRelayPort = maxRelayPort;
    }

    /** Starts coturn on 127.0.0.1 with a free port and 100 relay ports; waits until it listens. */
    public static Coturn start(String secret, String realm) {
        return start("127.0.0.1", "127.0.0.1", secret, realm, List.of());
    }

    /**
     * Starts coturn listening on {@code listenIp}, relaying from {@code relayIp}.
     *
     * @param extraArgs further turnserver flags (e.g. {@code --total-quota=10})
     */
    public static Coturn start(String listenIp, String relayIp, String secret, String realm, List<String> extraArgs) {
        int port = FreePorts.tcpAndUdp();
        int min = FreePorts.udpRange(100);
        ServiceProcess p = launch(null, listenIp, relayIp, port, min, secret, realm, extraArgs);
        try {
            p.awaitTcp(listenIp, port, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return new Coturn(p, secret, realm, listenIp, port, min, min + 99);
    }

    /**
     * Starts coturn inside a network namespace (e.g. {@code NatTopology.publicHost()}), listening and
     * relaying on {@code ip} with port 3478 and relay ports 49160–49259; waits for its start-up log
     * line (the test JVM cannot connect into the namespace to probe it).
     */
    public static Coturn startIn(NetNs namespace, String ip, String secret, String realm) {
        ServiceProcess p = launch(namespace, ip, ip, 3478, 49160, secret, realm, List.of());
        try {
            p.awaitOutput("Total General servers", Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return new Coturn(p, secret, realm, ip, 3478, 49160, 49259);
    }

    private static ServiceProcess launch(NetNs namespace, String listenIp, String relayIp, int port, int minPort,
                                         String secret, String realm, List<String> extraArgs) {
        Path dir;
        try {
            dir = Files.createTempDirectory("parch-coturn-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-n", "--listening-ip=" + listenIp,
                "--relay-ip=" + relayIp, "--listening-port=" + port, "--min-port=" + minPort,
                "--max-port=" + (minPort + 99), "--use-auth-secret", "--static-auth-secret=" + secret,
                "--realm=" + realm, "--fingerprint", "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls",
                "--log-file=stdout", "--simple-log", "--db=" + dir.resolve("turndb"),
                "--pidfile=" + dir.resolve("turnserver.pid")));
        cmd.addAll(extraArgs);
        ServiceProcess.Builder b = ServiceProcess.builder("coturn").command(cmd).logDir(dir);
        if (namespace != null) {
            b.inNamespace(namespace.name());
        }
        return b.start();
    }

    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    public String realm() {
        return realm;
    }

    public int minRelayPort() {
        return minRelayPort;
    }

    public int maxRelayPort() {
        return maxRelayPort;
    }

    /** {@code turn:<host>:<port>?transport=<udp|tcp>}. */
    public String url(String transport) {
        return "turn:" + host + ":" + port + "?transport=" + transport;
    }

    /** REST credentials for {@code user}, valid for an hour. */
    public TurnCredentials credentials(String user) {
        return TurnCredentials.mint(secret, user, Instant.now().plusSeconds(3600));
    }

    public ServiceProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
