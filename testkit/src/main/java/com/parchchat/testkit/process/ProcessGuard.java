package com.parchchat.testkit.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the processes a test JVM starts die with it — however it ends: a normal exit, an uncaught
 * exception, or SIGKILL / SIGABRT (a libwebrtc abort), where no shutdown hook runs.
 *
 * <p>Three layers, each covering what the previous one cannot:
 * <ol>
 *   <li><b>A watchdog process</b> per JVM ({@code sh}, started on first use). This JVM holds the only
 *       write end of the watchdog's stdin and tells it the id of every guarded process. The kernel closes
 *       that pipe when this JVM dies by any means; the watchdog reads end-of-file and SIGKILLs every
 *       guarded process <em>and its process group</em> (each guarded process is started with
 *       {@code setsid}, so grandchildren such as the Chromium that chromedriver starts go with it).
 *       It ignores SIGINT/SIGTERM/SIGHUP so a Ctrl-C to the terminal's process group cannot take it
 *       down before it has done its job.</li>
 *   <li><b>{@code PR_SET_PDEATHSIG}</b> ({@code setpriv --pdeathsig KILL}) on the direct child, for the
 *       case the watchdog itself was killed. The kernel sends it when the <em>thread</em> that spawned the
 *       child exits, not the process — and {@link ProcessBuilder#start()} spawns from the calling thread,
 *       which may be a short-lived JUnit or Awaitility pool thread. So every guarded process is spawned
 *       from one dedicated launcher thread that lives as long as the JVM.</li>
 *   <li><b>A shutdown hook</b> for normal exits: SIGTERM to every guarded process still running, a
 *       short grace period, then SIGKILL (to descendants too).</li>
 * </ol>
 * Processes are signalled by PID / process-group id only, never by name. When a guarded process ends
 * (or is stopped through {@link ServiceProcess}), whatever is left of its process group is killed and
 * the id is forgotten, so a later PID reuse cannot hit an unrelated process.
 *
 * <p>{@code setsid}, {@code setpriv} (util-linux) and {@code sh} are looked up once; a missing tool
 * drops only its layer (logged).
 */
public final class ProcessGuard {

    private static final Logger log = LoggerFactory.getLogger(ProcessGuard.class);

    static final String SETSID = "/usr/bin/setsid";
    static final String SETPRIV = "/usr/bin/setpriv";
    static final String SH = "/bin/sh";

    /**
     * The watchdog: {@code +ID} guards a process and its group, {@code -ID} forgets it, {@code !ID} kills
     * what is left of it now and forgets it; {@code NNAME} guards a network namespace, {@code MNAME} forgets
     * it. On end-of-file (this JVM is gone) it kills all guarded ids, then deletes the namespaces.
     */
    private static final String WATCHDOG_SCRIPT = String.join("\n",
            "trap '' INT TERM HUP",
            "ids=' '",
            "nss=' '",
            // dash's kill takes no "--"; after the signal a negative number is a process group
            "zap() { kill -9 \"-$1\" 2>/dev/null; kill -9 \"$1\" 2>/dev/null; }",
            "while IFS= read -r line; do",
            "  n=${line#?}",
            "  case \"$line\" in",
            "    N*) case \"$n\" in ''|*[!a-z0-9-]*) ;; *) nss=\"$nss$n \" ;; esac; continue ;;",
            "    M*)",
            "      rest=' '",
            "      for s in $nss; do [ \"$s\" = \"$n\" ] || rest=\"$rest$s \"; done",
            "      nss=$rest; continue ;;",
            "  esac",
            "  case \"$n\" in ''|*[!0-9]*) continue ;; esac",
            "  case \"$line\" in",
            "    +*) ids=\"$ids$n \" ;;",
            "    -*|!*)",
            "      rest=' '",
            "      for i in $ids; do [ \"$i\" = \"$n\" ] || rest=\"$rest$i \"; done",
            "      ids=$rest",
            "      case \"$line\" in !*) zap \"$n\" ;; esac ;;",
            "  esac",
            "done",
            "for i in $ids; do zap \"$i\"; done",
            // after the processes that ran in them: a namespace outlives its mount while one still runs
            "for s in $nss; do ip netns del \"$s\" 2>/dev/null; done",
            "");

    private static final ProcessGuard INSTANCE = new ProcessGuard();

    private final ExecutorService launcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parch-process-launcher");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Process> guarded = new ConcurrentHashMap<>();
    /** Ids guarded through {@link #watch} (processes this JVM did not start itself). */
    private final Set<Long> watched = ConcurrentHashMap.newKeySet();
    /** Network namespaces to delete if this JVM dies without closing them ({@link #guardNamespace}). */
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final boolean haveSetsid = Files.isExecutable(Path.of(SETSID));
    private final boolean haveSetpriv = Files.isExecutable(Path.of(SETPRIV));
    private Process watchdog;
    private OutputStream watchdogIn;

    private ProcessGuard() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAllOnExit, "parch-process-guard-exit"));
        if (!haveSetsid || !haveSetpriv) {
            log.warn("{} or {} missing: guarded processes get no own process group / parent-death signal",
                    SETSID, SETPRIV);
        }
    }

    /**
     * Starts {@code pb} so that its process dies with this JVM (see the class comment). The command is
     * run through {@code setsid} and {@code setpriv --pdeathsig KILL}, which exec it in place: the
     * returned process's PID is the command's own.
     */
    public static Process start(ProcessBuilder pb) throws IOException {
        return INSTANCE.launch(pb);
    }

    /**
     * Guards a process this JVM did not start through {@link #start} (e.g. one a library spawned) that
     * leads its own process group, or whose group should not outlive it anyway.
     */
    public static void watch(long pid) {
        INSTANCE.watched.add(pid);
        INSTANCE.tell("+" + pid);
    }

    /**
     * Makes network namespace {@code name} go with this JVM if it ends without deleting it — a SIGKILL'd
     * or aborted test JVM otherwise leaves its {@code ip netns} namespaces (and their veths and
     * iptables rules) behind. Names are 1–40 chars of [a-z0-9-], as {@code NetNs} requires.
     */
    public static void guardNamespace(String name) {
        if (name == null || !name.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("namespace name must be 1-40 chars of [a-z0-9-]: " + name);
        }
        INSTANCE.namespaces.add(name);
        INSTANCE.tell("N" + name);
    }

    /** Stops guarding namespace {@code name} (the test deleted it itself). */
    public static void releaseNamespace(String name) {
        if (INSTANCE.namespaces.remove(name)) {
            INSTANCE.tell("M" + name);
        }
    }

    /**
     * Kills what is left of the process group of a guarded process (its leader has exited or been
     * stopped) and stops guarding it. A no-op for an unknown id.
     */
    public static void release(long pid) {
        INSTANCE.guarded.remove(pid);
        INSTANCE.watched.remove(pid);
        INSTANCE.tell("!" + pid);
    }

    /**
     * Runs {@code spawn} on the launcher thread and returns its result: for a library that starts a
     * process itself (Selenium's driver service), so that a parent-death signal its command sets is tied
     * to a thread that lives as long as this JVM. Exceptions are rethrown unwrapped when unchecked.
     */
    public static <T> T onLauncherThread(Callable<T> spawn) throws Exception {
        try {
            return INSTANCE.launcher.submit(spawn).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception) {
                throw (Exception) c;
            }
            throw new IllegalStateException(c);
        }
    }

    /**
     * The command prefix that makes a command this JVM's guarded child when a library spawns it from
     * {@link #onLauncherThread}: {@code setsid} (own process group) and {@code setpriv --pdeathsig KILL}.
     */
    public static List<String> guardPrefix() {
        return INSTANCE.wrap(List.of());
    }

    /** The command actually run for {@code command}. */
    List<String> wrap(List<String> command) {
        List<String> out = new ArrayList<>();
        if (haveSetsid) {
            out.add(SETSID);
        }
        if (haveSetpriv) {
            out.addAll(List.of(SETPRIV, "--pdeathsig", "KILL", "--"));
        }
        out.addAll(command);
        return out;
    }

    private Process launch(ProcessBuilder pb) throws IOException {
        List<String> original = List.copyOf(pb.command());
        List<String> wrapped = wrap(original);
        try {
            // wrapped, started and guarded on the launcher thread alone: an interrupted caller can leave
            // neither an unguarded process nor a builder with a half-changed command
            return onLauncherThread(() -> {
                pb.command(wrapped);
                try {
                    return guard(pb.start());
                } finally {
                    pb.command(original);
                }
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + original.get(0), e);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private Process guard(Process p) {
        long pid = p.pid();
        guarded.put(pid, p);
        tell("+" + pid);
        p.onExit().thenRun(() -> release(pid));
        return p;
    }

    private synchronized void tell(String line) {
        try {
            if (watchdog == null || !watchdog.isAlive()) {
                startWatchdog();
            }
            watchdogIn.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            watchdogIn.flush();
        } catch (IOException e) {
            log.warn("process watchdog unreachable ({}); {} relies on the parent-death signal and the shutdown hook",
                    e.toString(), line);
        }
    }

    private void startWatchdog() throws IOException {
        if (watchdog != null) {
            log.warn("process watchdog (pid {}) died; starting a new one", watchdog.pid());
        }
        ProcessBuilder pb = new ProcessBuilder(SH, "-c", WATCHDOG_SCRIPT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        watchdog = pb.start();
        watchdogIn = watchdog.getOutputStream();
        // a new watchdog knows nothing yet: hand it everything still running
        Set<Long> all = new java.util.HashSet<>(guarded.keySet());
        all.addAll(watched);
        for (Long pid : all) {
            watchdogIn.write(("+" + pid + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        for (String ns : namespaces) {
            watchdogIn.write(("N" + ns + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        watchdogIn.flush();
        log.debug("process watchdog pid {}", watchdog.pid());
    }

    /** The watchdog's PID, starting it if needed (tests). */
    static long watchdogPid() {
        synchronized (INSTANCE) {
            INSTANCE.tell("");
            return INSTANCE.watchdog.pid();
        }
    }

    private void stopAllOnExit() {
        List<Process> live = new ArrayList<>(guarded.values());
        List<ProcessHandle> descendants = new ArrayList<>();
        for (Process p : live) {
            p.descendants().forEach(descendants::add);
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (Process p : live) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        // the watchdog gets end-of-file when this JVM's descriptors close and kills any group leftovers
    }
}
