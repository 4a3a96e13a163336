package com.parchchat.testkit.stack;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a test opened, closed in reverse order when the test ends — a stack before the clients that
 * use it were opened is closed after them. Use it as a JUnit field: {@code @AutoClose final Cleanup
 * cleanup = new Cleanup();} and {@code ParchClient c = cleanup.add(new ParchClient(cfg));}.
 *
 * <p>A failing {@code close()} is logged and the rest are still closed: the test's own assertion
 * failure, not a teardown error, is what the report should show.
 */
public final class Cleanup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Cleanup.class);

    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    /** Registers {@code c} to be closed at the end; returns it. */
    public synchronized <T extends AutoCloseable> T add(T c) {
        open.push(c);
        return c;
    }

    @Override
    public void close() {
        while (true) {
            AutoCloseable c;
            synchronized (this) {
                c = open.poll();
            }
            if (c == null) {
                return;
            }
            try {
                c.close();
            } catch (Exception e) {
                log.warn("cleanup: closing {} failed", c, e);
            }
        }
    }
}
