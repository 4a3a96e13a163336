package com.parchchat.testkit.chromium;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Serves the peer page on {@code http://127.0.0.1:<free port>/peer.html}. A loopback http origin is
 * a secure context, so getUserMedia works without TLS.
 */
final class TestPageServer implements AutoCloseable {

    private static final String PAGE = "/com/parchchat/testkit/chromium/peer.html";

    private final HttpServer server;
    private final byte[] page;

    TestPageServer() {
        try (InputStream in = TestPageServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + PAGE);
            }
            page = in.readAllBytes();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/") || path.equals("/peer.html")) {
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, page.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(page);
                    }
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
    }

    URI pageUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/peer.html");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
