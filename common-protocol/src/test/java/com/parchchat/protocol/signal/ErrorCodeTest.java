package com.parchchat.protocol.signal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ErrorCodeTest {

    @Test
    void wireStringsAreStable() {
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire)).containsExactly(
                "bad_request", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited",
                "host_offline", "too_large", "unavailable", "internal");
    }

    @Test
    void eachCodeDecodesFromItsWireString() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.fromWire(code.wire())).isEqualTo(code);
        }
        assertThatThrownBy(() -> ErrorCode.fromWire("BAD_REQUEST")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownCodeInAFrameIsABadRequest() {
        assertThatThrownBy(() -> SignalCodec.withDefaults().decode(
                "{\"type\":\"error\",\"code\":\"teapot\",\"message\":\"x\"}", RelayToClient.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("unknown error code 'teapot'");
                });
    }
}
