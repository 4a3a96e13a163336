package com.parchchat.testkit.process;

import com.parchchat.testkit.chromium.ChromiumPeer;
import com.parchchat.testkit.netns.NetNs;
import com.parchchat.testkit.turn.Coturn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test JVM in miniature for {@link ProcessGuardTest}: starts a plain process (from a short-lived
 * thread, the case where a parent-death signal tied to the spawning thread would fire too early), a
 * process tree ({@code sh} with a background {@code sleep}) and a real coturn, prints
 * {@code PIDS <watchdog> <sleeper> <tree> <tree's child> <coturn>}, then waits for a line on stdin and
 * ends the way {@code args[0]} says: {@code exit} (System.exit), {@code throw} (an exception out of
 * main), anything else: it keeps waiting to be killed by the test. With {@code args[1] = chromium} it
 * starts a {@link ChromiumPeer} instead and reports chromedriver, Chromium and all their helpers; with
 * {@code args[1] = netns} it creates network namespace {@code args[2]}, never closes it, and reports only
 * the watchdog.
 */
public final class GuardedChildMain {

    private GuardedChildMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (args.length > 1 && args[1].equals("chromium")) {
            chromium();
            return;
        }
        if (args.length > 2 && args[1].equals("netns")) {
            NetNs.create(args[2]); // deliberately never closed
            System.out.println("PIDS " + ProcessGuard.watchdogPid());
            System.out.flush();
            awaitEnd(mode);
            return;
        }
        AtomicReference<ServiceProcess> sleeper = new AtomicReference<>();
        Thread shortLived = new Thread(() -> sleeper.set(
                ServiceProcess.builder("sleeper").command("sleep", "300").start()), "short-lived-starter");
        shortLived.start();
        shortLived.join();

        ServiceProcess tree = ServiceProcess.builder("tree")
                .command("sh", "-c", "sleep 300 & echo bg $!; wait").start();
        tree.awaitLine(Pattern.compile("^bg \\d+"), Duration.ofSeconds(10));
        Matcher m = Pattern.compile("bg (\\d+)").matcher(tree.output());
        if (!m.find()) {
            throw new IllegalStateException("no background pid in: " + tree.output());
        }
        Coturn coturn = Coturn.start("guard-test-secret", "guard.test");

        System.out.println("PIDS " + ProcessGuard.watchdogPid() + " " + sleeper.get().pid() + " " + tree.pid() + " "
                + m.group(1) + " " + coturn.process().pid());
        System.out.flush();

        awaitEnd(mode);
    }

    /** Headless Chromium through chromedriver; reports every process below this JVM but the watchdog. */
    private static void chromium() throws Exception {
        ChromiumPeer peer = ChromiumPeer.launch();
        long watchdog = ProcessGuard.watchdogPid();
        StringBuilder line = new StringBuilder("PIDS " + watchdog);
        ProcessHandle.current().descendants().filter(h -> h.pid() != watchdog)
                .forEach(h -> line.append(' ').append(h.pid()));
        System.out.println(line);
        System.out.flush();
        awaitEnd("wait");
        peer.close();
    }

    private static void awaitEnd(String mode) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if ("exit".equals(mode)) {
            System.exit(0);
        }
        if ("throw".equals(mode)) {
            throw new IllegalStateException("the test body failed (deliberately)");
        }
        while (line != null) {
            line = in.readLine();
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
