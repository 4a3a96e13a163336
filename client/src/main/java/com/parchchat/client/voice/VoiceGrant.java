package com.parchchat.client.voice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.voice.SfuTokenClaims;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
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

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The engine's view of the relay's {@code voice.grant} reply. Whether we may speak is read from the
   * token's {@code speak} claim (not verified here — the SFU verifies the signature); TURN URLs are
   * validated like every ICE server.
   *
   * @throws IllegalArgumentException for a malformed SFU URL, token or TURN URL
   */
  public static VoiceGrant fromHostReply(HostReply.VoiceGrant reply) {
    List<IceServerConfig> ice = new ArrayList<>();
    if (reply.turn() != null) {
      ice.add(new IceServerConfig(reply.turn().urls(), reply.turn().username(), reply.turn().password()));
    }
    return new VoiceGrant(URI.create(reply.sfuUrl()), reply.token(), reply.room(), ice, speakClaim(reply.token()));
  }

  /** The {@code speak} claim of a JWT's payload; true when absent. */
  static boolean speakClaim(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("SFU token is not a JWT");
    }
    try {
      JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      JsonNode speak = claims.get(SfuTokenClaims.SPEAK);
      return speak == null || !speak.isBoolean() || speak.booleanValue();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("SFU token payload is unreadable", e);
    }
  }

  @Override
  public String toString() {
    return "VoiceGrant[sfuUrl=" + sfuUrl + ", room=" + room + ", iceServers=" + iceServers + ", canSpeak="
        + canSpeak + ", token=***]";
  }
}
