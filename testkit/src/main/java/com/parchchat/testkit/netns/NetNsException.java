package com.parchchat.testkit.netns;

/** A namespace, link or firewall command failed (or we are not root). */
public class NetNsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NetNsException(String message) {
        super(message);
    }

    public NetNsException(String message, Throwable cause) {
        super(message, cause);
    }
}
