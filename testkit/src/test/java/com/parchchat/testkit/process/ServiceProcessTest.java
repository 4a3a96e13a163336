package com.parchchat.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServiceProcessTest {

    /** A tiny "service": listens on the given TCP port, says so, and serves until killed. */
    public static final class TinyService {
        public static void main(String[] args) throws IOException {
            try (ServerSocket s = new ServerSocket(Integer.parseInt(args[0]), 5, InetAddress.getLoopbackAddress())) {
                System.out.println("listening on " + s.getLocalPort());
                System.out.flush();
                while (true) {
                    s.accept().close();
                }
            }
        }
    }

    @Test
    void startsAJvmWaitsForLogAndPortAndStopsItWithSigterm() {
        int port = FreePorts.tcp();
        try (ServiceProcess p = ServiceProcess.builder("tiny")
                .command(ServiceProcess.javaBinary(), "-cp", System.getProperty("java.class.path"),
                        TinyService.class.getName(), Integer.toString(port))
                .start()) {
            p.awaitLine(Pattern.compile("listening on \\d+"), Duration.ofSeconds(20))
                    .awaitTcp("127.0.0.1", port, Duration.ofSeconds(5));
            assertThat(p.isAlive()).isTrue();
            assertThat(p.output()).contains("listening on " + port);

            assertThat(p.stop(Duration.ofSeconds(5))).isEqualTo(143); // 128 + SIGTERM
            assertThat(p.isAlive()).isFalse();
            assertThat(p.stop(Duration.ofSeconds(1))).isEqualTo(143); // idempotent
        }
    }

    @Test
    void killsAProcessThatIgnoresSigterm() {
        try (ServiceProcess p = ServiceProcess.builder("stubborn")
                .command("sh", "-c", "trap '' TERM; echo armed; while true; do sleep 0.1; done").start()) {
            p.awaitOutput("armed", Duration.ofSeconds(5));
            assertThat(p.stop(Duration.ofMillis(300))).isEqualTo(137); // 128 + SIGKILL
        }
    }

    @Test
    void aProcessThatDiesIsReportedWithItsOutputInsteadOfWaitingOut() {
        try (ServiceProcess p = ServiceProcess.builder("dies").command("sh", "-c", "echo boom >&2; exit 3").start()) {
            assertThatThrownBy(() -> p.awaitOutput("never", Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with 3")
                    .hasMessageContaining("boom");
        }
    }

    @Test
    void freePortsAreBindable() throws IOException {
        int both = FreePorts.tcpAndUdp();
        try (ServerSocket t = new ServerSocket(both, 1, InetAddress.getLoopbackAddress());
             DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), both))) {
            assertThat(t.getLocalPort()).isEqualTo(u.getLocalPort());
        }
        int start = FreePorts.udpRange(10);
        assertThat(start).isBetween(20_000, 60_000);
        assertThatThrownBy(() -> FreePorts.udpRange(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServiceProcess.builder("bad name!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServiceProcess.builder("x").jar(java.nio.file.Path.of("/nope.jar"), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
