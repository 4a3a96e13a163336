package com.parchchat.relay.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.TurnCredentials;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import com.parchchat.protocol.voice.SfuTokenClaims;
import com.parchchat.protocol.voice.TurnRestCredentials;
import com.parchchat.relay.config.VoiceConfig;
import com.parchchat.relay.routing.VoiceGrants;
import java.util.function.LongSupplier;

/**
 * The relay alone holds the secrets shared with the SFU and the TURN server; this turns a host's
 * {@code voice.authorize} into a {@code voice.grant} reply body: the SFU URL, a short-lived SFU
 * JWT for room {@code <hostId>:<channelId>}, and coturn REST credentials for the TURN URLs.
 */
public final class VoiceCredentials implements VoiceGrants {
  private final VoiceConfig config;
  private final SfuTokenMinter minter;
  private final SfuAdminClient admin;
  private final SignalCodec codec;
  private final LongSupplier clock;

  public VoiceCredentials(VoiceConfig config, SfuAdminClient admin, SignalCodec codec, LongSupplier clock) {
    this.config = config;
    this.minter = new SfuTokenMinter(config.sfuSecret());
    this.admin = admin;
    this.codec = codec;
    this.clock = clock;
  }

  @Override
  public JsonNode grant(String hostId, String room, UserRef user, boolean canSpeak) {
    return codec.toBody(voiceGrant(hostId, room, user, canSpeak));
  }

  /** The typed grant (see {@link #grant}). */
  public HostReply.VoiceGrant voiceGrant(String hostId, String room, UserRef user, boolean canSpeak) {
    String fullRoom = SfuTokenClaims.room(hostId, room);
    long nowMillis = clock.getAsLong();
    long now = nowMillis / 1000;
    long expires = now + config.sfuTokenTtlSeconds();
    String token = minter.mint(fullRoom, user.id(), user.displayName(), canSpeak, now, expires);
    TurnCredentials turn =
        config.turnUrls().isEmpty()
            ? null
            : TurnRestCredentials.issue(config.turnSecret(), user.id(), now, config.turnTtlSeconds(), config.turnUrls());
    return new HostReply.VoiceGrant(config.sfuUrl(), token, fullRoom, turn, expires * 1000);
  }

  @Override
  public void kick(String hostId, String room, String userId) {
    admin.kick(SfuTokenClaims.room(hostId, room), userId);
  }
}
