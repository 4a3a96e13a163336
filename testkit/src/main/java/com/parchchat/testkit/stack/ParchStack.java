package com.parchchat.testkit.stack;

import com.parchchat.testkit.netns.NetNs;
import com.parchchat.testkit.process.FreePorts;
import com.parchchat.testkit.process.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our own services as real processes from the built jars — relay and host, and with
 * {@link Builder#voice(int)} also SFU and TURN — all bound to one address (loopback, a veth end, or
 * the public address of a namespace the test made), with their config and data in the test's dir.
 *
 * <p>The relay binds a port the kernel picks (read back from its log, so no race for a "free" port)
 * and keeps that port when it is started again, so clients and the host find it after a restart.
 * Relay and host state (SQLite, host key) survives {@link #stopRelay()}/{@link #killHost()} and a new
 * start. Each start of a service logs to its own file under {@code dir/logs} ({@code host.log},
 * {@code host-2.log}, …), so a readiness wait only sees the current run. With voice, the relay holds
 * the only copies of the SFU and TURN secrets (fresh random ones per stack), as in production.
 *
 * <p>Jars are found through the system properties {@code parch.jar.<module>} (set by the e2e pom).
 * {@link #close()} stops every process it started, by PID, newest first.
 */
public final class ParchStack implements AutoCloseable {

    private static final Pattern RELAY_LISTENING = Pattern.compile("relay listening on https?://[^:]+:(\\d+)");
    private static final Pattern HOST_KEY = Pattern.compile("Host Key: (\\S+)");
    private static final Pattern HOST_ONLINE = Pattern.compile("online at relay");
    private static final Pattern SFU_READY = Pattern.compile("SFU ready in");
    private static final Pattern TURN_READY = Pattern.compile("TURN listening on");
    /** Start-up on a loaded 2-core CI machine; only ever reached when something is broken. */
    private static final Duration START = Duration.ofSeconds(120);
    /** Graceful stop: long enough that a SIGTERM-ed service never ends up SIGKILL-ed by accident. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Builder cfg;
    private final Path dir;
    private final Path logDir;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final Map<String, Integer> starts = new TreeMap<>();
    private final Voice voice;
    private int relayPort;
    private URI relayUrl;
    private ServiceProcess relay;
    private ServiceProcess host;
    private ServiceProcess sfu;
    private ServiceProcess turn;
    private String hostKey;

    private ParchStack(Builder cfg) {
        this.cfg = cfg;
        this.dir = cfg.dir;
        this.logDir = dir.resolve("logs");
        this.voice = cfg.voiceCapacity > 0 ? new Voice(cfg.namespace != null) : null;
    }

    /** Starts describing a stack whose config, data and logs go below {@code dir}. */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** The built jar of {@code module} ({@code relay}, {@code host}, {@code sfu}, {@code turn}, {@code client}). */
    public static Path jar(String module) {
        String p = System.getProperty("parch.jar." + module);
        if (p == null) {
            throw new IllegalStateException("system property parch.jar." + module + " is not set (run through Maven)");
        }
        Path jar = Path.of(p);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build the " + module + " module first");
        }
        return jar;
    }

    /** A fresh temp dir (for stacks shared by a whole test class, outside JUnit's {@code @TempDir}). */
    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ParchStack startAll() {
        try {
            if (voice != null) {
                // SFU first (its DTLS and SRTP warm-up takes the longest), TURN next, then relay and host
                startSfuProcess();
                startTurnProcess();
            }
            startRelay();
            if (voice != null) {
                sfu.awaitLine(SFU_READY, START);
                turn.awaitLine(TURN_READY, START);
            }
            if (cfg.hostName != null) {
                startHost();
            }
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the relay (again) and waits until it answers {@code /healthz}: the first time on a port
     * the kernel picks, later on that same port.
     */
    public ParchStack startRelay() {
        List<String> args = new ArrayList<>();
        Path config = writeRelayConfig();
        if (config != null) {
            args.addAll(List.of("--config", config.toString()));
        }
        args.addAll(List.of("--bind", cfg.address, "--port", String.valueOf(relayPort),
                "--data-dir", dir.resolve("relay").toString(), "--argon2-memory-kib", "1024"));
        if (voice != null) {
            String a = cfg.address;
            args.addAll(List.of("--sfu-url", "ws://" + a + ":" + voice.sfuSignalPort + "/ws",
                    "--sfu-admin-url", "http://" + a + ":" + voice.sfuSignalPort,
                    "--turn-url", "turn:" + a + ":" + voice.turnPort + "?transport=udp"));
        }
        relay = start("relay", args);
        relay.awaitLine(RELAY_LISTENING, START);
        Matcher m = RELAY_LISTENING.matcher(relay.output());
        if (!m.find()) {
            throw new IllegalStateException("relay did not log its port");
        }
        relayPort = Integer.parseInt(m.group(1));
        relayUrl = URI.create("http://" + cfg.address + ":" + relayPort);
        if (cfg.namespace == null) {
            relay.awaitHttp(relayUrl.resolve("/healthz"), 200, START);
        }
        return this;
    }

    /**
     * Starts the host (again) on its data dir — registering at the relay on the first run — and waits
     * until it printed its Host Key and is online at the relay. The first start writes
     * {@code host.yaml} (relay, name and the builder's extra settings); later starts keep it.
     */
    public ParchStack startHost() {
        if (cfg.hostName == null) {
            throw new IllegalStateException("no host in this stack (Builder.host(name))");
        }
        Path hostDir = dir.resolve("host");
        Path yaml = hostDir.resolve("host.yaml");
        StringBuilder settings = new StringBuilder()
                .append("relay: \"").append(relayUrl).append("\"\n")
                .append("name: \"").append(cfg.hostName).append("\"\n")
                .append(cfg.hostYaml);
        if (voice != null) {
            settings.append("voiceCapacity: ").append(cfg.voiceCapacity).append('\n');
        }
        write(yaml, settings.toString(), false);
        host = start("host", List.of("--data-dir", hostDir.toString(), "--relay", relayUrl.toString(),
                "--name", cfg.hostName));
        host.awaitLine(HOST_KEY, START);
        Matcher k = HOST_KEY.matcher(host.output());
        if (!k.find()) {
            throw new IllegalStateException("no Host Key in the host's output");
        }
        hostKey = k.group(1);
        host.awaitLine(HOST_ONLINE, START);
        return this;
    }

    /** SIGTERM to the host, waiting until it has shut down. */
    public void stopHost() {
        host = stop(host);
    }

    /** SIGKILL to the host: no shutdown hook, no flush, like a power cut for the process. */
    public void killHost() {
        host = kill(host);
    }

    /** SIGTERM to the relay, waiting until it has shut down. */
    public void stopRelay() {
        relay = stop(relay);
    }

    /** SIGKILL to the relay: no graceful close frames reach anyone. */
    public void killRelay() {
        relay = kill(relay);
    }

    /** SIGKILL to the SFU (no goodbye to anybody), waiting until it is gone. */
    public void killSfu() {
        sfu = kill(sfu);
    }

    /** Starts the SFU again with the same configuration (ports and secrets) and waits until it is ready. */
    public void startSfu() {
        startSfuProcess();
        sfu.awaitLine(SFU_READY, START);
    }

    /** The relay's base URL ({@code http://address:port}). */
    public URI relayUrl() {
        return relayUrl;
    }

    public int relayPort() {
        return relayPort;
    }

    /** The host's key, as it printed it at its last start. */
    public String hostKey() {
        return hostKey;
    }

    /** The current run of each service ({@code null} when stopped or not part of this stack). */
    public ServiceProcess relay() {
        return relay;
    }

    public ServiceProcess host() {
        return host;
    }

    public ServiceProcess sfu() {
        return sfu;
    }

    public ServiceProcess turn() {
        return turn;
    }

    public int sfuSignalPort() {
        return requireVoice().sfuSignalPort;
    }

    public int sfuMediaPort() {
        return requireVoice().sfuMediaPort;
    }

    public int turnPort() {
        return requireVoice().turnPort;
    }

    /** The address every service binds to. */
    public String address() {
        return cfg.address;
    }

    /** The last lines of every run of every service, for a failure message. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (ServiceProcess p : processes) {
            sb.append("---- ").append(p.name()).append('\n').append(p.tail(cfg.logTailLines)).append('\n');
        }
        return sb.toString();
    }

    /** Stops every process this stack started (SIGTERM, then SIGKILL after a grace period), newest first. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).stop(STOP_GRACE);
            } catch (RuntimeException e) {
                processes.get(i).close();
            }
        }
        processes.clear();
        relay = null;
        host = null;
        sfu = null;
        turn = null;
    }

    private Voice requireVoice() {
        if (voice == null) {
            throw new IllegalStateException("no voice services in this stack (Builder.voice(capacity))");
        }
        return voice;
    }

    private Path writeRelayConfig() {
        String yaml = cfg.relayYaml;
        if (voice != null) {
            yaml += "voice:\n  sfuSecret: " + voice.sfuSecret + "\n  sfuAdminSecret: " + voice.adminSecret
                    + "\n  turnSecret: " + voice.turnSecret + "\n";
        }
        if (yaml.isEmpty()) {
            return null;
        }
        Path file = dir.resolve("relay.yaml");
        write(file, yaml, true);
        return file;
    }

    private void startSfuProcess() {
        Path yaml = dir.resolve("sfu.yaml");
        write(yaml, String.join("\n",
                "signalHost: " + cfg.address, "signalPort: " + voice.sfuSignalPort,
                "mediaHost: " + cfg.address, "mediaPort: " + voice.sfuMediaPort, "advertisedAddresses: []",
                "tokenSecret: " + voice.sfuSecret, "adminSecret: " + voice.adminSecret,
                "roomCapacity: 50", "maxRooms: 100", "loudestN: 0", "maxFrameBytes: 65536",
                "speakerIntervalMillis: 300", "consentTimeoutSeconds: 30",
                "srtpProfiles: [AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM]", ""), true);
        sfu = start("sfu", List.of("--config", yaml.toString()));
    }

    private void startTurnProcess() {
        String a = cfg.address;
        List<String> args = new ArrayList<>(List.of("--listening-ip", a, "--listening-port", "" + voice.turnPort,
                "--relay-ip", a, "--min-port", "" + voice.relayMin, "--max-port", "" + (voice.relayMin + 39),
                "--realm", "parch.test", "--use-auth-secret", "--static-auth-secret=" + voice.turnSecret,
                "--admin-port", "-1", "--data-path", "native")); // fail, not fall back, if the flags below stop working
        if (cfg.namespace == null) {
            args.add("--allow-loopback-peers"); // the SFU is a loopback peer here
        }
        // as deploy/systemd/parch-turn.service: parch-turn's native relay data path (jdk.incubator.foreign)
        List<String> jvm = new ArrayList<>(cfg.jvmOptions);
        jvm.addAll(List.of("-XX:-UsePerfData", "--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED"));
        turn = start("turn", jvm, args);
    }

    /** Starts run n of {@code module}, logged as {@code module} (first run) or {@code module-n}. */
    private ServiceProcess start(String module, List<String> args) {
        return start(module, cfg.jvmOptions, args);
    }

    /** {@link #start(String, List)} with these JVM options instead of the stack's. */
    private ServiceProcess start(String module, List<String> jvmOptions, List<String> args) {
        int n = starts.merge(module, 1, Integer::sum);
        ServiceProcess.Builder b = ServiceProcess.builder(n == 1 ? module : module + "-" + n)
                .jar(jar(module), jvmOptions, args)
                .logDir(logDir);
        if (cfg.namespace != null) {
            b.inNamespace(cfg.namespace.name());
        }
        ServiceProcess p = b.start();
        processes.add(p);
        return p;
    }

    private static ServiceProcess stop(ServiceProcess p) {
        if (p != null) {
            p.stop(STOP_GRACE);
        }
        return null;
    }

    private static ServiceProcess kill(ServiceProcess p) {
        if (p != null) {
            p.kill();
        }
        return null;
    }

    private static void write(Path file, String text, boolean overwrite) {
        try {
            Files.createDirectories(file.getParent());
            if (overwrite || !Files.exists(file)) {
                Files.writeString(file, text, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ports and secrets of the voice services, fixed for the stack's life so an SFU restart keeps them. */
    private static final class Voice {
        final String sfuSecret = secret();
        final String adminSecret = secret();
        final String turnSecret = secret();
        final int sfuSignalPort;
        final int sfuMediaPort;
        final int turnPort;
        final int relayMin;

        Voice(boolean inNamespace) {
            // a namespace of the test's own has every port free
            sfuSignalPort = inNamespace ? 7880 : FreePorts.tcp();
            sfuMediaPort = inNamespace ? 7882 : FreePorts.udp();
            turnPort = inNamespace ? 3478 : FreePorts.tcpAndUdp();
            relayMin = inNamespace ? 50000 : FreePorts.udpRange(40);
        }

        private static String secret() {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            return HexFormat.of().formatHex(b);
        }
    }

    /** What to run; every option has a default that suits a plain loopback chat test. */
    public static final class Builder {
        private final Path dir;
        private String address = "127.0.0.1";
        private NetNs namespace;
        private List<String> jvmOptions = List.of("-Xmx256m");
        private String relayYaml = "";
        private String hostName;
        private String hostYaml = "";
        private int voiceCapacity;
        private int logTailLines = 60;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** The address every service binds to (default 127.0.0.1), e.g. the root end of a test's veth. */
        public Builder address(String address) {
            this.address = address;
            return this;
        }

        /** Runs every service inside {@code ns} (root only), bound to {@code address}, the namespace's own. */
        public Builder inNamespace(NetNs ns, String address) {
            this.namespace = ns;
            this.address = address;
            return this;
        }

        /** JVM options of every service (default {@code -Xmx256m}). */
        public Builder jvmOptions(String... options) {
            this.jvmOptions = List.of(options);
            return this;
        }

        /** The relay's YAML config (e.g. raised limits); none by default. Must not contain {@code voice:}. */
        public Builder relayYaml(String yaml) {
            this.relayYaml = yaml.isEmpty() || yaml.endsWith("\n") ? yaml : yaml + "\n";
            return this;
        }

        /** Adds a host named {@code name}, registered at the relay on its first start. */
        public Builder host(String name) {
            this.hostName = name;
            return this;
        }

        /** Extra lines for the host's first-run {@code host.yaml} (e.g. raised message rates). */
        public Builder hostYaml(String yaml) {
            this.hostYaml = yaml.isEmpty() || yaml.endsWith("\n") ? yaml : yaml + "\n";
            return this;
        }

        /**
         * Adds the SFU and our TURN server, wires their secrets into the relay, and gives the host
         * {@code voiceCapacity}.
         */
        public Builder voice(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("voice capacity must be positive: " + capacity);
            }
            this.voiceCapacity = capacity;
            return this;
        }

        /** How many last lines of each log {@link ParchStack#logs()} shows (default 60). */
        public Builder logTailLines(int lines) {
            this.logTailLines = lines;
            return this;
        }

        /**
         * Starts the stack — SFU and TURN (with voice), the relay, then the host (if any) — and waits
         * until each one is ready. On failure everything started so far is stopped.
         */
        public ParchStack start() {
            return new ParchStack(this).startAll();
        }
    }
}
