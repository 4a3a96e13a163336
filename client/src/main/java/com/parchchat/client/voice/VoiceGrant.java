package com.parchchat.client.voice;

import java.net.URI;
import java.util.List;

/**
 * What the relay hands a client allowed into a voice channel: where the SFU is, the signed SFU
 * token, and TURN credentials. Secrets never appear in {@link #toString()}.
 *
 * @param sfuUrl     the SFU's WebSocket URL
 * @param token      the SFU token (JWT) — a secret
 * @param room       the room id {@code <hostId>:<channelId>} (sent along in {@code join}; may be null)
 * @param iceServers TURN/STUN servers with credentials
 * @param canSpeak   false joins receive-only
 */
public record VoiceGrant(URI sfuUrl, String token, String room, List<IceServerConfig> iceServers, boolean canSpeak) {

  public VoiceGrant {
    if (sfuUrl == null || token == null || token.isEmpty()) {
      throw new IllegalArgumentException("a voice grant needs an SFU URL and a token");
    }
    String scheme = sfuUrl.getScheme();
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException("SFU URL must be ws:// or wss://: " + sfuUrl);
    }
    iceServers = iceServers == null ? List.of() : List.copyOf(iceServers);
  }

  @Override
  public String toString() {
    return "VoiceGrant[sfuUrl=" + sfuUrl + ", room=" + room + ", iceServers=" + iceServers + ", canSpeak="
        + canSpeak + ", token=***]";
  }
}
