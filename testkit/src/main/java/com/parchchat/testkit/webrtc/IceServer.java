package com.parchchat.testkit.webrtc;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One STUN/TURN server entry, validated before it reaches libwebrtc.
 *
 * <p>Why: webrtc-java 0.14 dies with SIGSEGV on a malformed URL such as {@code "turn:"}, which
 * takes the whole test JVM with it. Every URL must be {@code stun:}, {@code stuns:},
 * {@code turn:} or {@code turns:} with a host (name, IPv4, or bracketed IPv6), an optional port
 * 1–65535 and, for TURN only, an optional {@code ?transport=udp|tcp}. TURN entries need a
 * username and password. {@link #toString()} never shows the password.
 */
public record IceServer(List<String> urls, String username, String password) {

    private static final Pattern URL = Pattern.compile(
            "(stuns?|turns?):(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::(\\d{1,5}))?(?:\\?transport=(udp|tcp))?");

    public IceServer {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("an ICE server needs at least one URL");
        }
        urls = List.copyOf(urls);
        boolean turn = false;
        for (String url : urls) {
            turn |= validateUrl(url);
        }
        if (turn && (username == null || username.isEmpty() || password == null || password.isEmpty())) {
            throw new IllegalArgumentException("a TURN server needs a username and a password: " + urls);
        }
    }

    /** A STUN server without credentials. */
    public static IceServer stun(String url) {
        return new IceServer(List.of(url), null, null);
    }

    /** A TURN server with long-term (e.g. REST-style) credentials. */
    public static IceServer turn(String url, String username, String password) {
        return new IceServer(List.of(url), username, password);
    }

    /** @return true for a TURN URL */
    static boolean validateUrl(String url) {
        if (url == null) {
            throw new IllegalArgumentException("ICE server URL is null");
        }
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed ICE server URL: '" + url + "'");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (m.group(3) != null) {
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("ICE server port out of range in '" + url + "'");
            }
        }
        boolean turn = scheme.startsWith("turn");
        if (m.group(4) != null && !turn) {
            throw new IllegalArgumentException("?transport= is only valid for TURN URLs: '" + url + "'");
        }
        return turn;
    }

    @Override
    public String toString() {
        return "IceServer[urls=" + urls + ", username=" + username + ", password="
                + (password == null ? "null" : "***") + "]";
    }
}
