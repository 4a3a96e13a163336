package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VoiceConfigTest {

  @ParameterizedTest
  @ValueSource(strings = {"turn:", "turn:127.0.0.1:0", "stun:host?transport=tcp", "http://x", "turn:[::1", ""})
  void malformedIceUrlsNeverReachLibwebrtc(String url) {
    assertThatThrownBy(() -> new IceServerConfig(List.of(url), "u", "p"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secretsStayOutOfToString() {
    IceServerConfig turn = new IceServerConfig(List.of("turn:127.0.0.1:3478?transport=udp"), "1:alice", "pw-secret");
    VoiceGrant grant = new VoiceGrant(URI.create("ws://127.0.0.1:7880/sfu"), "jwt-secret", "h:c", List.of(turn), true);
    assertThat(grant.toString()).doesNotContain("jwt-secret").doesNotContain("pw-secret");
    assertThatThrownBy(() -> new IceServerConfig(List.of("turn:127.0.0.1"), null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VoiceGrant(URI.create("http://x/"), "t", null, List.of(), true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRelayGrantBecomesAnEngineGrantWithTheSpeakClaim() {
    String payload = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"sub\":\"u1\",\"speak\":false}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    com.parchchat.protocol.api.HostReply.VoiceGrant reply = new com.parchchat.protocol.api.HostReply.VoiceGrant(
        "ws://127.0.0.1:7880/sfu", "h." + payload + ".s", "host:chan",
        new com.parchchat.protocol.api.TurnCredentials(List.of("turn:127.0.0.1:3478?transport=udp"), "1:u1", "pw", 600),
        0);
    VoiceGrant grant = VoiceGrant.fromHostReply(reply);
    assertThat(grant.canSpeak()).isFalse();
    assertThat(grant.iceServers()).singleElement().satisfies(s -> assertThat(s.username()).isEqualTo("1:u1"));
    assertThat(grant.room()).isEqualTo("host:chan");
    assertThatThrownBy(() -> VoiceGrant.speakClaim("not-a-jwt")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configIsValidatedWithTheKeyNamed() {
    assertThatThrownBy(() -> VoiceConfig.headless().withVadThreshold(1.5))
        .hasMessageContaining("voice.vadThreshold");
    assertThatThrownBy(() -> new VoiceConfig(AudioMode.HEADLESS, false, false, false, false, 0, Duration.ZERO,
        Duration.ofSeconds(1), 1, Duration.ofSeconds(1))).hasMessageContaining("voice.negotiationTimeout");
    assertThat(VoiceConfig.desktop().audioMode()).isEqualTo(AudioMode.DEVICE);
  }

  @Test
  void deviceModeWithoutPulseAudioFallsBackToHeadlessInsteadOfAborting() {
    // CI machines have no PulseAudio server; the default device module would abort the JVM there
    try (VoiceEngine engine = new VoiceEngine(VoiceConfig.desktop())) {
      if (VoiceEngine.pulseAudioReachable()) {
        assertThat(engine.mode()).isEqualTo(AudioMode.DEVICE);
      } else {
        assertThat(engine.mode()).isEqualTo(AudioMode.HEADLESS);
        assertThat(engine.microphones()).isEmpty();
      }
    }
  }
}
