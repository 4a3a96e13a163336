package com.parchchat.client.voice;

import com.parchchat.protocol.sfu.SfuToClient;
import java.util.List;
import java.util.Set;

/**
 * What a {@link VoiceCall} reports. Called on the call's own thread; implementations must not block
 * (the UI hops to its own thread).
 */
public interface VoiceListener {

  default void onStateChanged(VoiceCall.State state, String detail) {
  }

  /** The other members of the room changed (joined, left, muted). */
  default void onMembersChanged(List<VoiceMember> members) {
  }

  /** User ids speaking now (from the SFU's speaker events, plus the local user by local level). */
  default void onSpeakingChanged(Set<String> userIds) {
  }

  /** A fresh connection-quality sample. */
  default void onQuality(CallQuality quality) {
  }

  /** The SFU refused something. */
  default void onError(SfuToClient.Error error) {
  }
}
