package com.parchchat.client.voice;

import com.parchchat.protocol.signal.SignalCodec;
import java.net.http.HttpClient;
import java.time.Duration;

/** Opens a fresh signalling link for a grant (once per join and per automatic rejoin). */
@FunctionalInterface
public interface SfuLinkFactory {

  SfuLink open(VoiceGrant grant);

  /** Real WebSocket links to {@link VoiceGrant#sfuUrl()}. */
  static SfuLinkFactory webSocket(HttpClient http, SignalCodec codec, Duration connectTimeout) {
    return grant -> new WebSocketSfuLink(grant.sfuUrl(), http, codec, connectTimeout);
  }
}
