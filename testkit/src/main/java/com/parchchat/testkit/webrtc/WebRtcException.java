package com.parchchat.testkit.webrtc;

/** A signalling step that libwebrtc refused (e.g. malformed or incompatible SDP). */
public class WebRtcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WebRtcException(String message) {
        super(message);
    }

    public WebRtcException(String message, Throwable cause) {
        super(message, cause);
    }
}
