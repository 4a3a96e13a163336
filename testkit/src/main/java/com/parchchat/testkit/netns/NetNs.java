package com.parchchat.testkit.netns;

import com.parchchat.testkit.process.ProcessGuard;
import com.parchchat.testkit.process.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Linux network namespace owned by a test (root only): created with {@code ip netns add},
 * deleted in {@link #close()} (idempotent), and by {@link ProcessGuard}'s watchdog if the JVM dies
 * without closing it. Commands and whole JVMs can run inside it.
 *
 * <p>A namespace starts with only {@code lo} (brought up here) and IPv6 disabled, so the
 * addresses a test configures are the only ones a peer inside can use. Note that libwebrtc gathers
 * no host candidates on loopback: give a namespace that runs a WebRTC peer a veth interface
 * (see {@link NatTopology}).
 */
public final class NetNs implements AutoCloseable {

    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NetNs(String name) {
        this.name = name;
    }

    /**
     * Creates namespace {@code name} (1–40 chars of [a-z0-9-]). Fails if it exists already: names must
     * be unique per test, e.g. {@link NatTopology} adds a random id.
     */
    public static NetNs create(String name) {
        if (name == null || !name.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("namespace name must be 1-40 chars of [a-z0-9-]: " + name);
        }
        Cmd.check(List.of("ip", "netns", "add", name));
        ProcessGuard.guardNamespace(name);
        NetNs ns = new NetNs(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs {@code cmd} inside the namespace; fails on a non-zero exit code; returns its output. */
    public String exec(String... cmd) {
        return Cmd.check(wrap(List.of(cmd)));
    }

    /** Runs {@code cmd} inside the namespace and returns exit code and output without judging them. */
    public ExecResult tryExec(long timeoutMillis, String... cmd) {
        Cmd.Result r = Cmd.run(wrap(List.of(cmd)), timeoutMillis);
        return new ExecResult(r.exitCode(), r.output());
    }

    /** Exit code and combined stdout/stderr of a command run in a namespace. */
    public record ExecResult(int exitCode, String output) {
    }

    /**
     * Starts {@code java -cp <this JVM's classpath> mainClass args} inside the namespace, as a
     * {@link ServiceProcess} (output to a log file, stop by PID). The child JVM shares the file system,
     * so tests can hand it data through files in their temp dir.
     */
    public ServiceProcess startJava(String processName, Class<?> mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ServiceProcess.javaBinary(), "-cp",
                System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        return ServiceProcess.builder(processName).command(cmd).inNamespace(name).start();
    }

    /** Starts any command inside the namespace as a {@link ServiceProcess}. */
    public ServiceProcess start(String processName, String... cmd) {
        return ServiceProcess.builder(processName).command(cmd).inNamespace(name).start();
    }

    List<String> wrap(List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", name));
        out.addAll(cmd);
        return out;
    }

    /** Deletes the namespace (its interfaces go with it); safe to call twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Cmd.Result r = Cmd.run(List.of("ip", "netns", "del", name), 10_000);
            if (r.exitCode() != 0 && !r.output().contains("No such file")) {
                throw new NetNsException("cannot delete namespace " + name + ": " + r.output().strip());
            }
            ProcessGuard.releaseNamespace(name);
        }
    }

    @Override
    public String toString() {
        return "NetNs[" + name + "]";
    }
}
