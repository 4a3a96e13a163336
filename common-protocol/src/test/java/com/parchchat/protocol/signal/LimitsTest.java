package com.parchchat.protocol.signal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitsTest {

    @Test
    void defaultsAreTheDocumentedValues() {
        assertThat(Limits.DEFAULTS.maxFrameBytes()).isEqualTo(64 * 1024);
        assertThat(Limits.DEFAULTS.maxContentChars()).isEqualTo(4000);
        assertThat(Limits.DEFAULTS.maxHistoryPage()).isEqualTo(100);
    }

    @Test
    void configNamesOnlyWhatItChanges() throws Exception {
        Limits limits = SignalCodec.newObjectMapper()
                .readValue("{\"maxFrameBytes\": 8192, \"maxHistoryPage\": 50}", Limits.class);

        assertThat(limits.maxFrameBytes()).isEqualTo(8192);
        assertThat(limits.maxHistoryPage()).isEqualTo(50);
        assertThat(limits.maxContentChars()).isEqualTo(Limits.DEFAULT_MAX_CONTENT_CHARS);
        assertThat(limits.maxHostFrameBytes()).isEqualTo(Limits.DEFAULT_MAX_HOST_FRAME_BYTES);
    }

    @Test
    void invalidValuesNameTheKey() {
        assertThatThrownBy(() -> SignalCodec.newObjectMapper().readValue("{\"maxHistoryPage\": 0}", Limits.class))
                .hasRootCauseMessage("limits.maxHistoryPage must be at least 1 (was 0)");
        assertThatThrownBy(() -> Limits.DEFAULTS.withMaxFrameBytes(100))
                .hasMessageContaining("limits.maxFrameBytes");
    }

    @Test
    void hostFrameLimitIsNeverBelowTheClientLimit() {
        assertThatThrownBy(() -> Limits.of(4096, 2048, null, null, null, null, null, null, null, null))
                .hasMessageContaining("limits.maxHostFrameBytes");
        assertThat(Limits.DEFAULTS.withMaxFrameBytes(2 * 1024 * 1024).maxHostFrameBytes()).isEqualTo(2 * 1024 * 1024);
    }

    @Test
    void codecAppliesTheConfiguredLimit() {
        SignalCodec small = new SignalCodec(Limits.DEFAULTS.withMaxFrameBytes(Limits.MIN_FRAME_BYTES));
        String frame = "{\"type\":\"hello\",\"token\":\"" + "t".repeat(Limits.MIN_FRAME_BYTES) + "\"}";

        assertThatThrownBy(() -> small.decode(frame, ClientToRelay.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
    }
}
