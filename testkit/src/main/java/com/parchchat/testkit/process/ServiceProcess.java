package com.parchchat.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real process under test: one of our service jars ({@code java -jar parch-x.jar ...}) or a
 * foreign server (turnserver, janus), with stdout and stderr captured to one log file.
 *
 * <p>Readiness is waited for with a timeout on a log line, a TCP connect or an HTTP status.
 * {@link #stop(Duration)} sends SIGTERM, waits, then SIGKILL — always to this process's PID only
 * (never by name), followed by any descendants it left behind. {@link #close()} is idempotent, so
 * use try-with-resources or call it from {@code @AfterEach}.
 *
 * <p>Every process is started through {@link ProcessGuard}: it runs in its own process group and
 * dies with the JVM that started it, also when that JVM is killed or aborts without running
 * {@code @AfterEach} or shutdown hooks.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);

    private final String name;
    private final Process process;
    private final Path logFile;
    private final List<String> command;

    private ServiceProcess(String name, Process process, Path logFile, List<String> command) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.command = command;
    }

    /** Starts describing a process called {@code name} (used in the log file name and messages). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The {@code java} binary of the running JVM. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    /** The file that receives stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** Everything the process has printed so far. */
    public String output() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output contains {@code text}; fails early if the process dies. */
    public ServiceProcess awaitOutput(String text, Duration timeout) {
        awaitCondition("output containing '" + text + "'", timeout, () -> output().contains(text));
        return this;
    }

    /** Waits until some output line matches {@code regex} (find semantics). */
    public ServiceProcess awaitLine(Pattern regex, Duration timeout) {
        awaitCondition("a line matching " + regex, timeout,
                () -> output().lines().anyMatch(l -> regex.matcher(l).find()));
        return this;
    }

    /** Waits until a TCP connect to {@code host:port} succeeds. */
    public ServiceProcess awaitTcp(String host, int port, Duration timeout) {
        awaitCondition("TCP " + host + ":" + port, timeout, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    /** Waits until a GET on {@code uri} answers with status {@code expectedStatus}. */
    public ServiceProcess awaitHttp(URI uri, int expectedStatus, Duration timeout) {
        awaitCondition("HTTP " + expectedStatus + " from " + uri, timeout, () -> {
            try {
                HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(1000);
                try {
                    return c.getResponseCode() == expectedStatus;
                } finally {
                    c.disconnect();
                }
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    private void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " while waiting for "
                        + what + "; output:\n" + tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not show " + what + " within " + timeout
                        + "; output:\n" + tail(40));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    /** How often {@code regex} matches the output so far (e.g. how many reconnects a service logged). */
    public long countMatches(String regex) {
        return Pattern.compile(regex).matcher(output()).results().count();
    }

    /** The last {@code lines} lines of output (for failure messages). */
    public String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits for the process to exit by itself; returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * SIGTERM, wait up to {@code grace}, then SIGKILL; descendants left behind are killed by PID too.
     *
     * @return the exit code (143 after SIGTERM, 137 after SIGKILL, for a JVM)
     */
    public int stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("{} (pid {}) ignored SIGTERM for {}; sending SIGKILL", name, pid(), grace);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * SIGKILL (no shutdown hook, no flush: a power cut for the process), waiting until it is gone;
     * descendants are killed by PID too. Safe to call more than once.
     */
    public void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted killing " + name, e);
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** {@link #stop(Duration)} with a 5 s grace period; safe to call more than once. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "ServiceProcess[" + name + ", pid=" + process.pid() + ", log=" + logFile + "]";
    }

    /** Describes a process to start. */
    public static final class Builder {
        private final String name;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path workDir;
        private Path logDir;

        private Builder(String name) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("process name must be 1-64 chars of [A-Za-z0-9_.-]: " + name);
            }
            this.name = name;
        }

        /** Runs {@code java [jvmArgs] -jar jar args} with the current JVM's java binary. */
        public Builder jar(Path jar, List<String> jvmArgs, List<String> args) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no such jar: " + jar);
            }
            command.clear();
            command.add(javaBinary());
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(jar.toString());
            command.addAll(args);
            return this;
        }

        /** {@code java -jar jar args...}. */
        public Builder jar(Path jar, String... args) {
            return jar(jar, List.of(), List.of(args));
        }

        /** Any command line. */
        public Builder command(List<String> cmd) {
            if (cmd.isEmpty()) {
                throw new IllegalArgumentException("empty command");
            }
            command.clear();
            command.addAll(cmd);
            return this;
        }

        public Builder command(String... cmd) {
            return command(List.of(cmd));
        }

        /** Prefixes the command with {@code ip netns exec <namespace>} (root only). */
        public Builder inNamespace(String namespace) {
            if (command.isEmpty()) {
                throw new IllegalStateException("set the command first");
            }
            List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            wrapped.addAll(command);
            command.clear();
            command.addAll(wrapped);
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Where the log file goes (default: a fresh temp dir). */
        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        public ServiceProcess start() {
            if (command.isEmpty()) {
                throw new IllegalStateException("no command set for " + name);
            }
            try {
                Path dir = logDir != null ? logDir : Files.createTempDirectory("parch-" + name + "-");
                Files.createDirectories(dir);
                Path logFile = dir.resolve(name + ".log");
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                if (workDir != null) {
                    pb.directory(workDir.toFile());
                }
                pb.environment().putAll(env);
                Files.writeString(logFile, "", StandardCharsets.UTF_8);
                Process p = ProcessGuard.start(pb); // dies with this JVM, even on SIGKILL
                // the command line is not logged: it may carry secrets (e.g. --static-auth-secret)
                log.info("started {} pid {} (log {})", name, p.pid(), logFile);
                return new ServiceProcess(name, p, logFile, List.copyOf(command));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name + ": " + command, e);
            }
        }
    }

}
