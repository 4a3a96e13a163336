package com.parchchat.testkit.chromium;

import com.parchchat.testkit.chromium.ChromiumStats.RemoteTrackInfo;
import com.parchchat.testkit.process.ProcessGuard;
import com.parchchat.testkit.webrtc.IceServer;
import com.parchchat.testkit.webrtc.RtcStatsSummary.InboundAudio;
import com.parchchat.testkit.webrtc.RtcStatsSummary.SelectedPair;
import com.parchchat.testkit.webrtc.WebRtcException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Headless Debian Chromium as a WebRTC peer, driven through Selenium and the Debian chromedriver.
 *
 * <p>It loads a small page from an in-process HTTP server on 127.0.0.1 (a secure context) whose
 * script holds one RTCPeerConnection; this class calls it with SDP strings. Audio to send comes
 * from Chromium's fake microphone (a beep about once per second); every received stream is
 * attached to an {@code <audio>} element, without which Chromium would not decode it (packets
 * would arrive but audioLevel/totalAudioEnergy would stay 0).
 *
 * <p>Both binary paths are given explicitly, so Selenium Manager never runs (it would try to
 * download drivers and send usage statistics). Flags keep Chromium off the network apart from the
 * call itself (no background networking, component updates, sync, QUIC, or mDNS host-candidate
 * obfuscation — which would multicast on the real interface). Each peer gets a fresh
 * user-data-dir, deleted on {@link #close()} (idempotent).
 */
public final class ChromiumPeer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChromiumPeer.class);

    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final TestPageServer pageServer;
    private final Path userDataDir;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    /** chromedriver's PID, the leader of the process group Chromium runs in (see {@link #guardedDriver}). */
    private final long driverPid;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChromiumPeer(Duration timeout) {
        TestPageServer server = null;
        Path dataDir = null;
        ChromeDriverService svc = null;
        ChromeDriver drv = null;
        long driverPid = -1;
        try {
            server = new TestPageServer();
            dataDir = Files.createTempDirectory("parch-chromium-");
            Path pidFile = dataDir.resolve("chromedriver.pid");
            ChromeDriverService built = new ChromeDriverService.Builder()
                    .usingDriverExecutable(guardedDriver(dataDir, pidFile).toFile())
                    .usingAnyFreePort()
                    .withLogFile(dataDir.resolve("chromedriver.log").toFile())
                    .build();
            svc = built;
            // started here (not lazily by ChromeDriver) so that it is spawned from the long-lived launcher
            // thread, and guarded before Chromium exists
            ProcessGuard.onLauncherThread(() -> {
                built.start();
                return null;
            });
            driverPid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessGuard.watch(driverPid);
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments(flags(dataDir.resolve("profile")));
            drv = new ChromeDriver(svc, options);
            drv.manage().timeouts().scriptTimeout(timeout);
            drv.get(server.pageUri().toString());
        } catch (IOException e) {
            cleanup(drv, svc, driverPid, server, dataDir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            cleanup(drv, svc, driverPid, server, dataDir);
            throw e;
        } catch (Exception e) {
            cleanup(drv, svc, driverPid, server, dataDir);
            throw new IllegalStateException("cannot start chromedriver: " + e, e);
        }
        this.driverPid = driverPid;
        this.pageServer = server;
        this.userDataDir = dataDir;
        this.service = svc;
        this.driver = drv;
    }

    /** Launches a headless Chromium with the peer page loaded (a few seconds on 2 cores). */
    public static ChromiumPeer launch() {
        return launch(Duration.ofSeconds(20));
    }

    /** As {@link #launch()}, with the timeout used for every page call (incl. ICE gathering). */
    public static ChromiumPeer launch(Duration timeout) {
        return new ChromiumPeer(timeout);
    }

    /** The Chromium command-line flags used (the user-data-dir differs per peer). */
    public static List<String> flags(Path userDataDir) {
        return List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
                "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-breakpad",
                "--metrics-recording-only", "--disable-features=WebRtcHideLocalIpsWithMdns,OptimizationHints,Translate",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + userDataDir);
    }

    /**
     * Creates the page's RTCPeerConnection.
     *
     * @param iceServers      STUN/TURN servers (validated like the bot's)
     * @param relayOnly       {@code iceTransportPolicy: 'relay'}
     * @param sendMicrophone  add the fake microphone's track (sendrecv); false = receive only
     */
    public void createPeerConnection(List<IceServer> iceServers, boolean relayOnly, boolean sendMicrophone) {
        List<Map<String, Object>> servers = new ArrayList<>();
        for (IceServer s : iceServers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("urls", s.urls());
            if (s.username() != null) {
                m.put("username", s.username());
                m.put("credential", s.password());
            }
            servers.add(m);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("iceServers", servers);
        config.put("iceTransportPolicy", relayOnly ? "relay" : "all");
        call("create", config, sendMicrophone);
    }

    /** Creates an offer, applies it, waits for ICE gathering; returns the SDP with candidates. */
    public String createOffer() {
        return (String) call("createOffer");
    }

    /** Applies a remote offer (initial or renegotiation) and returns the answer with candidates. */
    public String acceptOffer(String offerSdp) {
        return (String) call("acceptOffer", offerSdp);
    }

    public void applyAnswer(String answerSdp) {
        call("applyAnswer", answerSdp);
    }

    /** Adds a trickled remote candidate. */
    public void addRemoteCandidate(String mid, int mLineIndex, String candidate) {
        call("addCandidate", mid, mLineIndex, candidate);
    }

    /** Enables or disables the fake microphone track (disabled = silence is sent). */
    public void setMicrophoneEnabled(boolean enabled) {
        call("setMicEnabled", enabled);
    }

    /** A getStats summary from inside the page. */
    @SuppressWarnings("unchecked")
    public ChromiumStats stats() {
        Map<String, Object> s = (Map<String, Object>) call("stats");
        List<InboundAudio> inbound = new ArrayList<>();
        for (Map<String, Object> i : (List<Map<String, Object>>) s.get("inbound")) {
            inbound.add(new InboundAudio(str(i.get("trackIdentifier")), str(i.get("mid")), lng(i.get("ssrc")),
                    lng(i.get("packetsReceived")), lng(i.get("packetsLost")), dbl(i.get("jitter")),
                    dbl(i.get("audioLevel")), dbl(i.get("totalAudioEnergy"))));
        }
        Optional<SelectedPair> pair = Optional.empty();
        Map<String, Object> p = (Map<String, Object>) s.get("pair");
        if (p != null) {
            pair = Optional.of(new SelectedPair(str(p.get("localType")), str(p.get("localAddress")),
                    (int) lng(p.get("localPort")), str(p.get("localProtocol")), str(p.get("relayProtocol")),
                    str(p.get("remoteType")), str(p.get("remoteAddress")), (int) lng(p.get("remotePort")),
                    dbl(p.get("currentRoundTripTime")), str(p.get("state"))));
        }
        List<RemoteTrackInfo> tracks = new ArrayList<>();
        for (Map<String, Object> t : (List<Map<String, Object>>) s.get("remoteTracks")) {
            tracks.add(new RemoteTrackInfo(str(t.get("mid")), str(t.get("trackId")),
                    ((List<Object>) t.get("streamIds")).stream().map(Object::toString).toList()));
        }
        return new ChromiumStats(List.copyOf(inbound), lng(s.get("packetsSent")), lng(s.get("bytesSent")), pair,
                str(s.get("connectionState")), str(s.get("iceConnectionState")), List.copyOf(tracks));
    }

    /** Chromium's {@code pc.connectionState} ("new", "connecting", "connected", "failed", ...). */
    public String connectionState() {
        return stats().connectionState();
    }

    /** The underlying WebDriver, for anything this class does not cover. */
    public ChromeDriver driver() {
        return driver;
    }

    private Object call(String function, Object... args) {
        if (closed.get()) {
            throw new IllegalStateException("ChromiumPeer is closed");
        }
        String script = "const done = arguments[arguments.length - 1];"
                + "const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
                + "window.parch." + function + ".apply(null, args).then("
                + "r => done({ok: r === undefined ? null : r}),"
                + "e => done({error: String((e && e.message) || e)}));";
        Object raw = ((JavascriptExecutor) driver).executeAsyncScript(script, args);
        if (!(raw instanceof Map)) {
            throw new WebRtcException("chromium " + function + ": unexpected result " + raw);
        }
        Map<?, ?> result = (Map<?, ?>) raw;
        if (result.containsKey("error")) {
            throw new WebRtcException("chromium " + function + " failed: " + result.get("error"));
        }
        return result.get("ok");
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static long lng(Object o) {
        return o instanceof Number ? ((Number) o).longValue() : 0;
    }

    private static double dbl(Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : 0;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                ((JavascriptExecutor) driver).executeAsyncScript(
                        "const done = arguments[0]; window.parch.close().then(done, done);");
            } catch (RuntimeException e) {
                log.debug("closing the page's peer connection failed", e);
            }
            cleanup(driver, service, driverPid, pageServer, userDataDir);
        }
    }

    /**
     * A launcher for the Debian chromedriver that makes it (and the Chromium it starts, which stays in its
     * process group) die with this JVM, also when the JVM is killed: it records its PID, then execs
     * chromedriver in place in a new process group with a parent-death signal ({@link ProcessGuard}).
     */
    private static Path guardedDriver(Path dir, Path pidFile) throws IOException {
        StringBuilder script = new StringBuilder("#!/bin/sh\necho $$ > '").append(pidFile).append("'\nexec");
        for (String part : ProcessGuard.guardPrefix()) {
            script.append(' ').append(part);
        }
        script.append(' ').append(CHROMEDRIVER).append(" \"$@\"\n");
        Path launcher = dir.resolve("chromedriver-guarded");
        Files.writeString(launcher, script);
        if (!launcher.toFile().setExecutable(true, true)) {
            throw new IOException("cannot make " + launcher + " executable");
        }
        return launcher;
    }

    private static void cleanup(ChromeDriver driver, ChromeDriverService service, long driverPid,
                                TestPageServer server, Path dir) {
        if (driver != null) {
            try {
                driver.quit();
            } catch (RuntimeException e) {
                log.warn("chromedriver quit failed", e);
            }
        }
        if (service != null && service.isRunning()) {
            service.stop();
        }
        if (driverPid > 0) {
            ProcessGuard.release(driverPid); // whatever is left of chromedriver's process group
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                log.warn("could not delete {}", dir, e);
            }
        }
    }
}
