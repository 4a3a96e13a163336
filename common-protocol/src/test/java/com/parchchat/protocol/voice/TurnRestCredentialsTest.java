package com.parchchat.protocol.voice;

import com.parchchat.protocol.api.TurnCredentials;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TurnRestCredentialsTest {

    @Test
    void matchesAnIndependentlyComputedHmac() {
        // expected value computed with Python: base64(hmac.new(secret, username, sha1).digest())
        assertThat(TurnRestCredentials.password("north-wind-secret", "1700000600:user-42"))
                .isEqualTo("dQDvuj1txZ6Pxla//bszGoUqBao=");
    }

    @Test
    void issuesUsernameWithExpiryAndMatchingPassword() {
        TurnCredentials credentials = TurnRestCredentials.issue("north-wind-secret", "user-42",
                1_700_000_000L, 600, List.of("turn:127.0.0.1:3478?transport=udp"));

        assertThat(credentials.username()).isEqualTo("1700000600:user-42");
        assertThat(credentials.password()).isEqualTo("dQDvuj1txZ6Pxla//bszGoUqBao=");
        assertThat(credentials.ttlSeconds()).isEqualTo(600);
        assertThat(TurnRestCredentials.expiryOf(credentials.username())).isEqualTo(1_700_000_600L);
        assertThat(credentials.toString()).doesNotContain(credentials.password());
    }

    @Test
    void rejectsUsernamesOutsideTheScheme() {
        assertThatThrownBy(() -> TurnRestCredentials.expiryOf("alice")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TurnRestCredentials.expiryOf("soon:alice")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roomIsHostScoped() {
        assertThat(SfuTokenClaims.room("h1", "c9")).isEqualTo("h1:c9");
        assertThatThrownBy(() -> SfuTokenClaims.room("h1:evil", "c9")).isInstanceOf(IllegalArgumentException.class);
    }
}
