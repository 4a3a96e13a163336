package com.parchchat.relay.config;

import java.util.List;

/**
 * Voice credentials the relay mints. Secrets left empty are generated on first start into
 * {@code <dataDir>/dev-secrets.properties} (see {@code credentials.DevSecrets}).
 *
 * @param sfuUrl WebSocket URL clients use to reach the SFU
 * @param sfuAdminUrl base HTTP URL of the SFU's admin API (kick); empty disables the call
 * @param sfuSecret HS256 secret shared with the SFU for client tokens (never logged)
 * @param sfuAdminSecret bearer secret for the SFU admin API (never logged)
 * @param sfuTokenTtlSeconds lifetime of an SFU token
 * @param turnUrls TURN/STUN URLs handed to clients
 * @param turnSecret coturn {@code static-auth-secret} for REST credentials (never logged)
 * @param turnTtlSeconds lifetime of TURN credentials
 */
public record VoiceConfig(
    String sfuUrl,
    String sfuAdminUrl,
    String sfuSecret,
    String sfuAdminSecret,
    int sfuTokenTtlSeconds,
    List<String> turnUrls,
    String turnSecret,
    int turnTtlSeconds) {

  public VoiceConfig {
    Check.notBlank("voice.sfuUrl", sfuUrl);
    Check.url("voice.sfuUrl", sfuUrl);
    if (sfuAdminUrl != null && !sfuAdminUrl.isBlank()) {
      Check.url("voice.sfuAdminUrl", sfuAdminUrl);
    }
    if (sfuSecret != null && !sfuSecret.isEmpty() && sfuSecret.length() < 32) {
      throw new IllegalArgumentException("config key 'voice.sfuSecret' must be at least 32 characters");
    }
    Check.range("voice.sfuTokenTtlSeconds", sfuTokenTtlSeconds, 5, 86_400);
    turnUrls = turnUrls == null ? List.of() : List.copyOf(turnUrls);
    for (String u : turnUrls) {
      if (!(u.startsWith("turn:") || u.startsWith("turns:") || u.startsWith("stun:")) || u.indexOf(':') == u.length() - 1) {
        throw new IllegalArgumentException("config key 'voice.turnUrls' has a bad URL: " + u);
      }
    }
    Check.range("voice.turnTtlSeconds", turnTtlSeconds, 60, 7 * 86_400);
  }

  public VoiceConfig withSecrets(String sfu, String sfuAdmin, String turn) {
    return new VoiceConfig(sfuUrl, sfuAdminUrl, sfu, sfuAdmin, sfuTokenTtlSeconds, turnUrls, turn, turnTtlSeconds);
  }

  @Override
  public String toString() {
    return "VoiceConfig[sfuUrl=" + sfuUrl + ", sfuAdminUrl=" + sfuAdminUrl + ", sfuSecret=***, sfuAdminSecret=***"
        + ", sfuTokenTtlSeconds=" + sfuTokenTtlSeconds + ", turnUrls=" + turnUrls + ", turnSecret=***"
        + ", turnTtlSeconds=" + turnTtlSeconds + "]";
  }
}
