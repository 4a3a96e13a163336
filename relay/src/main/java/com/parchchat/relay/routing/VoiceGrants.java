package com.parchchat.relay.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.signal.UserRef;

/** What the router needs from the credentials package: mint a grant, and remove a user from an SFU room. */
public interface VoiceGrants {
  /**
   * The {@code voice.grant} reply body for a user the host allowed into {@code room}.
   *
   * @param hostId the authenticated host (prefixed to the room by the minter)
   * @param room host-local room name (voice channel id)
   */
  JsonNode grant(String hostId, String room, UserRef user, boolean canSpeak);

  /** Asks the SFU to drop {@code userId} from {@code hostId:room}; asynchronous, failures are logged. */
  void kick(String hostId, String room, String userId);
}
