package com.parchchat.protocol.signal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Layer-1 frames a client sends to the relay over its WebSocket.
 *
 * <p>The first frame must be {@link Hello}; the relay answers {@link RelayToClient.Welcome} or an
 * {@code unauthorized} error. Afterwards the client attaches to hosts and sends them requests;
 * the {@code body} of a request is a layer-2 {@code HostRequest} which the relay never reads.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientToRelay.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = ClientToRelay.Attach.class, name = "attach"),
        @JsonSubTypes.Type(value = ClientToRelay.Detach.class, name = "detach"),
        @JsonSubTypes.Type(value = ClientToRelay.Request.class, name = "request"),
        @JsonSubTypes.Type(value = ClientToRelay.Ping.class, name = "ping"),
})
public sealed interface ClientToRelay {

    /**
     * Authenticates the connection with a session token from the relay's login API.
     *
     * @param token    opaque session token (secret: never logged, redacted in {@link #toString()})
     * @param protocol the layer-1 protocol version the client speaks; absent means 1
     */
    record Hello(String token, Integer protocol) implements ClientToRelay {
        public Hello {
            Require.present(token, "token");
        }

        public Hello(String token) {
            this(token, SignalCodec.PROTOCOL_VERSION);
        }

        @Override
        public String toString() {
            return "Hello[token=<redacted>, protocol=" + protocol + "]";
        }
    }

    /**
     * Starts receiving a host's events; the relay opens a session at the host ({@code session.open})
     * and answers with {@code host.status}.
     *
     * @param host host id (the Host Key)
     * @param id   optional correlation id echoed in an {@code error} (unknown host)
     */
    record Attach(String host, String id) implements ClientToRelay {
        public Attach {
            Require.present(host, "host");
        }

        public Attach(String host) {
            this(host, null);
        }
    }

    /**
     * Stops receiving a host's events; the relay closes the session at the host.
     *
     * @param host host id
     * @param id   optional correlation id echoed in an {@code error}
     */
    record Detach(String host, String id) implements ClientToRelay {
        public Detach {
            Require.present(host, "host");
        }

        public Detach(String host) {
            this(host, null);
        }
    }

    /**
     * A host-API call. The relay forwards it to the host (stamped with the verified user) and
     * routes the host's {@code reply} with the same {@code id} back.
     *
     * @param host host id; the client must be attached to it
     * @param id   correlation id chosen by the client, unique among its pending requests
     * @param body a layer-2 {@code HostRequest}, opaque to the relay (must be a JSON object)
     */
    record Request(String host, String id, JsonNode body) implements ClientToRelay {
        public Request {
            Require.present(host, "host");
            Require.present(id, "id");
            Require.object(body, "body");
        }
    }

    /** Application-level liveness check (WebSocket ping frames also work); answered by {@code pong}. */
    record Ping() implements ClientToRelay {
    }
}
