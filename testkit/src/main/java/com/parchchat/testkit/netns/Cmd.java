package com.parchchat.testkit.netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command (ip, iptables, sysctl) to completion and captures its output. */
final class Cmd {

    private Cmd() {
    }

    /** Result of one command. */
    record Result(int exitCode, String output) {
    }

    static Result run(List<String> command, long timeoutMillis) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new NetNsException("timed out after " + timeoutMillis + " ms: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new NetNsException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetNsException("interrupted running " + command, e);
        }
    }

    /** Runs and fails on a non-zero exit code. */
    static String check(List<String> command) {
        Result r = run(command, 10_000);
        if (r.exitCode() != 0) {
            throw new NetNsException("command failed (" + r.exitCode() + "): " + String.join(" ", command) + "\n"
                    + r.output().strip());
        }
        return r.output();
    }
}
