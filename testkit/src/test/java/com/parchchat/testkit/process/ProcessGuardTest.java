package com.parchchat.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Processes a test JVM starts through testkit die with that JVM however it ends — the CI case was a
 * libwebrtc abort (SIGABRT, no shutdown hooks) that left coturn running. A child JVM
 * ({@link GuardedChildMain}) starts a plain process, a process tree and coturn; the test ends that JVM
 * and waits until every one of them is gone, by PID.
 */
class ProcessGuardTest {

    private static final Duration GONE_WITHIN = Duration.ofSeconds(15);

    private Process child;
    private final List<Long> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        if (child != null) {
            child.destroyForcibly();
        }
        // whatever a failed assertion left behind, by PID only
        for (long pid : started) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest(name = "child JVM ends by {0}")
    @ValueSource(strings = {"SIGKILL", "SIGABRT", "exit", "throw"})
    void everyProcessDiesWithTheJvmThatStartedIt(String how) throws Exception {
        long[] pids = startChild(how.startsWith("SIG") ? "wait" : how);
        long watchdog = pids[0];
        for (int i = 1; i < pids.length; i++) {
            assertThat(running(pids[i])).as("pid %d running before the JVM ends", pids[i]).isTrue();
        }

        end(how);

        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(GONE_WITHIN).untilAsserted(() -> {
            for (int i = 1; i < pids.length; i++) {
                assertThat(running(pids[i])).as("pid %d still running after the JVM ended by %s", pids[i], how)
                        .isFalse();
            }
            assertThat(running(watchdog)).as("the watchdog exits after its job").isFalse();
        });
    }

    /**
     * The second layer alone: with the watchdog gone too (killed first), the parent-death signal still
     * takes every direct child — including the one spawned from a thread that had already ended, which
     * shows the spawning is done on the long-lived launcher thread.
     */
    @Test
    void directChildrenDieEvenWithoutTheWatchdog() throws Exception {
        long[] pids = startChild("wait");
        signal("KILL", pids[0]);
        await().atMost(GONE_WITHIN).until(() -> !running(pids[0]));
        // the spawning thread of the first one ended long ago, yet it runs
        assertThat(running(pids[1])).isTrue();

        end("SIGKILL");

        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long[] direct = {pids[1], pids[2], pids[4]}; // sleeper, sh, coturn (pids[3] is sh's child)
        await().atMost(GONE_WITHIN).untilAsserted(() -> {
            for (long pid : direct) {
                assertThat(running(pid)).as("direct child %d", pid).isFalse();
            }
        });
    }

    /** chromedriver is spawned by Selenium, not by us; it and the Chromium it starts go too. */
    @Test
    void chromedriverAndChromiumDieWithAKilledJvm() throws Exception {
        long[] pids = startChild("wait", "chromium");
        assertThat(pids.length).as("chromedriver, chromium and its helpers").isGreaterThanOrEqualTo(3);
        end("SIGKILL");
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(GONE_WITHIN).untilAsserted(() -> {
            for (long pid : pids) {
                assertThat(running(pid)).as("pid %d (%s) still running", pid, comm(pid)).isFalse();
            }
        });
    }

    /** A namespace the killed JVM created and never deleted is deleted by its watchdog. */
    @Test
    void aNamespaceLeftOpenGoesWithAKilledJvm() throws Exception {
        String name = "guard-" + Long.toHexString(System.nanoTime());
        try {
            long[] pids = startChild("wait", "netns", name);
            assertThat(namespaces()).contains(name);

            end("SIGKILL");

            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(GONE_WITHIN).untilAsserted(() -> {
                assertThat(namespaces()).doesNotContain(name);
                assertThat(running(pids[0])).as("the watchdog exits after its job").isFalse();
            });
        } finally {
            new ProcessBuilder("ip", "netns", "del", name).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Names from {@code ip netns list} ("name" or "name (id: 3)" per line). */
    private static List<String> namespaces() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split(" ")[0]);
            }
        }
        return names;
    }

    @Test
    void commandsRunInPlaceInTheirOwnProcessGroup() throws Exception {
        try (ServiceProcess p = ServiceProcess.builder("group").command("sleep", "60").start()) {
            // the PID becomes the command's own (setsid and setpriv exec in place) and leads its group
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Files.readString(Path.of("/proc/" + p.pid() + "/comm")).trim()).isEqualTo("sleep"));
            String[] stat = stat(p.pid());
            assertThat(stat).isNotNull();
            assertThat(Long.parseLong(stat[4])).isEqualTo(p.pid());
            assertThat(p.command()).containsExactly("sleep", "60");
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return "gone";
        }
    }

    private long[] startChild(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "ulimit -c 0; exec \"$0\" \"$@\"",
                ServiceProcess.javaBinary(), "-cp", System.getProperty("java.class.path"),
                GuardedChildMain.class.getName()));
        cmd.addAll(List.of(args));
        child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(child.pid());
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("PIDS ")) {
                long[] pids = Arrays.stream(line.substring(5).trim().split(" ")).mapToLong(Long::parseLong).toArray();
                Arrays.stream(pids).forEach(started::add);
                drain(out);
                return pids;
            }
        }
        throw new AssertionError("child JVM ended before reporting its processes:\n" + seen);
    }

    /** Keeps reading the child's output so it never blocks on a full pipe. */
    private static void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "guard-test-drain");
        t.setDaemon(true);
        t.start();
    }

    private void end(String how) throws Exception {
        switch (how) {
            case "SIGKILL":
                child.destroyForcibly();
                break;
            case "SIGABRT":
                signal("ABRT", child.pid());
                break;
            default:
                OutputStream in = child.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).isZero();
    }

    /** {@code /proc/<pid>/stat} fields after the command name, or null when the process is gone. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ");
            String[] out = new String[rest.length + 2];
            out[0] = Long.toString(pid);
            out[1] = "";
            System.arraycopy(rest, 0, out, 2, rest.length);
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    /** Alive and not a zombie (an orphan killed here may wait for a reaper that never comes). */
    private static boolean running(long pid) {
        String[] s = stat(pid);
        return s != null && !s[2].equals("Z") && !s[2].equals("X");
    }
}
