package com.parchchat.testkit.turn;

import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
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
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-n", "--listening-ip=" + listenIp,
                "--relay-ip=" + relayIp, "--listening-port=" + port, "--min-port=" + min,
                "--max-port=" + (min + 99), "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=" + realm,
                "--fingerprint", "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--log-file=stdout",
                "--simple-log", "--no-stdout-log"));
        cmd.remove("--no-stdout-log");
        cmd.addAll(extraArgs);
        ServiceProcess p = ServiceProcess.builder("coturn").command(cmd).start();
        try {
            p.awaitTcp(listenIp, port, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return new Coturn(p, secret, realm, listenIp, port, min, min + 99);
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
