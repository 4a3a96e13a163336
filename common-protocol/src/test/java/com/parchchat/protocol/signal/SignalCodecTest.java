package com.parchchat.protocol.signal;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalCodecTest {

    private final SignalCodec codec = SignalCodec.withDefaults();

    @Test
    void decodesAndEncodesARequest() throws Exception {
        ClientToRelay frame = codec.decode(
                "{\"type\":\"request\",\"host\":\"h1\",\"id\":\"7\",\"body\":{\"type\":\"typing\",\"channelId\":\"c1\"}}",
                ClientToRelay.class);

        assertThat(frame).isInstanceOf(ClientToRelay.Request.class);
        ClientToRelay.Request request = (ClientToRelay.Request) frame;
        assertThat(request.host()).isEqualTo("h1");
        assertThat(request.id()).isEqualTo("7");
        assertThat(request.body().get("channelId").asText()).isEqualTo("c1");

        String json = codec.encode(request);
        assertThat(codec.decode(json, ClientToRelay.class)).isEqualTo(request);
        assertThat(json).startsWith("{\"type\":\"request\"");
    }

    @Test
    void ignoresUnknownPropertiesForForwardCompatibility() throws Exception {
        ClientToRelay frame = codec.decode("{\"type\":\"attach\",\"host\":\"h1\",\"future\":[1,2]}", ClientToRelay.class);

        assertThat(frame).isEqualTo(new ClientToRelay.Attach("h1"));
    }

    @Test
    void omitsAbsentOptionalFields() {
        assertThat(codec.encode(new RelayToClient.Error(null, ErrorCode.HOST_OFFLINE, "host h1 is offline")))
                .isEqualTo("{\"type\":\"error\",\"code\":\"host_offline\",\"message\":\"host h1 is offline\"}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "malformed JSON        | {\"type\":\"hello\",\"token\": | BAD_REQUEST | malformed JSON",
            "not an object         | [\"hello\",{\"token\":\"t\"}]  | BAD_REQUEST | frame must be a JSON object",
            "empty                 | ``                             | BAD_REQUEST | empty frame",
            "trailing data         | {\"type\":\"ping\"} {}         | BAD_REQUEST | malformed JSON",
            "unknown type          | {\"type\":\"teleport\"}        | BAD_REQUEST | unknown type 'teleport'",
            "missing type          | {\"token\":\"t\"}              | BAD_REQUEST | missing field 'type'",
            "missing field         | {\"type\":\"hello\"}           | BAD_REQUEST | missing field 'token'",
            "null field            | {\"type\":\"hello\",\"token\":null} | BAD_REQUEST | missing field 'token'",
            "wrong field type      | {\"type\":\"attach\",\"host\":{}}   | BAD_REQUEST | invalid value for field 'host'",
            "body not an object    | {\"type\":\"request\",\"host\":\"h\",\"id\":\"1\",\"body\":3} | BAD_REQUEST | field 'body' must be a JSON object",
    })
    void rejectsBadFramesWithTypedErrors(String name, String frame, ErrorCode code, String message) {
        assertThatThrownBy(() -> codec.decode(frame == null ? "" : frame, ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void reportsTheCorrelationIdOfARejectedFrame() {
        assertThatThrownBy(() -> codec.decode("{\"type\":\"request\",\"id\":\"42\",\"body\":{}}", ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("missing field 'host'");
                    assertThat(e.id()).isEqualTo("42");
                });
    }

    @Test
    void rejectsOversizeFramesBeforeParsing() {
        Limits limits = Limits.DEFAULTS;
        // not even JSON: proves the size check runs before the parser
        String oversize = "x".repeat(limits.maxFrameBytes() + 1);

        assertThatThrownBy(() -> codec.decode(oversize, ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        assertThatThrownBy(() -> codec.decode(oversize.getBytes(StandardCharsets.UTF_8), ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void countsTheLimitInUtf8Bytes() throws Exception {
        int max = Limits.DEFAULTS.maxFrameBytes();
        String prefix = "{\"type\":\"hello\",\"token\":\"";
        String suffix = "\"}";
        int room = max - prefix.length() - suffix.length();
        String fits = prefix + "a".repeat(room) + suffix;
        // "é" is 2 bytes: the same number of chars no longer fits
        String tooBig = prefix + "é".repeat(room / 2 + 1) + suffix;

        assertThat(codec.decode(fits, ClientToRelay.class)).isInstanceOf(ClientToRelay.Hello.class);
        assertThatThrownBy(() -> codec.decode(tooBig, ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void hostFramesHaveTheLargerLimit() throws Exception {
        String big = "{\"type\":\"publish\",\"topic\":\"space:1\",\"body\":{\"type\":\"x\",\"pad\":\""
                + "a".repeat(Limits.DEFAULTS.maxFrameBytes()) + "\"}}";

        HostToRelay frame = codec.decode(big, HostToRelay.class);

        assertThat(frame).isInstanceOf(HostToRelay.Publish.class);
        assertThat(codec.maxBytesFor(RelayToClient.class)).isGreaterThan(codec.maxBytesFor(HostToRelay.class));
    }

    @Test
    void rejectsDeepNesting() {
        String deep = "{\"type\":\"request\",\"host\":\"h\",\"id\":\"1\",\"body\":"
                + "{\"a\":".repeat(200) + "1" + "}".repeat(200) + "}";

        assertThatThrownBy(() -> codec.decode(deep, ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("nested deeper");
                });
    }

    @Test
    void hidesTheTokenInToString() {
        assertThat(new ClientToRelay.Hello("s3cret-token").toString()).doesNotContain("s3cret");
    }

    @Test
    void hostAuthPayloadBindsHostIdAndNonce() {
        assertThat(HostToRelay.HostAuth.signedPayload("host-1", "n0nce"))
                .isEqualTo("parch-host-auth:v1:host-1:n0nce");
    }

    @Test
    void bodyRoundTrip() throws Exception {
        JsonNode body = codec.toBody(new UserRef("u1", "alice", "Alice"));

        assertThat(codec.fromBody(body, UserRef.class)).isEqualTo(new UserRef("u1", "alice", "Alice"));
    }
}
