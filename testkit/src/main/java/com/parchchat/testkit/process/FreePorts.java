package com.parchchat.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;

/**
 * Finds ports that are free right now on 127.0.0.1, by binding port 0 and closing again.
 *
 * <p>There is an unavoidable window between closing and the real server binding; use these only
 * for processes that cannot be told to bind port 0 themselves and report the port back.
 */
public final class FreePorts {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private FreePorts() {
    }

    /** A TCP port free on 127.0.0.1. */
    public static int tcp() {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port", e);
        }
    }

    /** A UDP port free on 127.0.0.1. */
    public static int udp() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return s.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException("no free UDP port", e);
        }
    }

    /** A port number free for both TCP and UDP on 127.0.0.1 (e.g. a TURN or STUN listener). */
    public static int tcpAndUdp() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = tcp();
            if (udpFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP after 50 attempts");
    }

    /**
     * The first port of {@code count} consecutive UDP ports that are all free now (e.g. a TURN relay
     * range), searched in [20000, 60000).
     */
    public static int udpRange(int count) {
        if (count < 1 || count > 1000) {
            throw new IllegalArgumentException("count must be 1..1000: " + count);
        }
        java.util.Random rnd = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int start = 20_000 + rnd.nextInt(40_000 - count);
            boolean ok = true;
            for (int p = start; p < start + count && ok; p++) {
                ok = udpFree(p);
            }
            if (ok) {
                return start;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free UDP ports found");
    }

    private static boolean udpFree(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }
}
