package com.parchchat.protocol.sfu;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.parchchat.protocol.signal.Require;

/** Frames a client sends to the SFU. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientToSfu.Join.class, name = "join"),
  @JsonSubTypes.Type(value = ClientToSfu.Answer.class, name = "answer"),
  @JsonSubTypes.Type(value = ClientToSfu.Mute.class, name = "mute"),
  @JsonSubTypes.Type(value = ClientToSfu.Leave.class, name = "leave"),
})
public sealed interface ClientToSfu {

  /**
   * Enter the room named in the token (first frame on a connection).
   *
   * @param token the SFU token the relay issued (JWT HS256)
   * @param room  optional; when present it must equal the token's room, else {@code token_wrong_room}
   * @param sdp   optional SDP offer. Without it the SFU makes the first offer, and the client must have
   *              added its microphone with {@code addTrack} before applying it (JSEP §5.10 pairs a
   *              remote offer's section only with addTrack-made transceivers). With it the SFU answers
   *              ({@code answer}); clients whose transceiver came from {@code addTransceiver} use this.
   */
  record Join(String token, String room, String sdp) implements ClientToSfu {
    public Join {
      Require.present(token, "token");
    }

    /** Never print the token. */
    @Override
    public String toString() {
      return "Join[room=" + room + ", sdp=" + (sdp == null ? "none" : sdp.length() + " chars") + "]";
    }
  }

  /**
   * The SDP answer to the SFU's {@code offer} with the same {@code revision}.
   *
   * @param sdp      the answer (must take {@code a=setup:active})
   * @param revision the revision of the offer being answered
   */
  record Answer(String sdp, @JsonProperty(required = true) long revision) implements ClientToSfu {
    public Answer {
      Require.present(sdp, "sdp");
      Require.nonNegative(revision, "revision");
    }
  }

  /** Set one's own mute state; a muted member's audio is not forwarded. */
  record Mute(@JsonProperty(required = true) boolean muted) implements ClientToSfu {}

  /** Leave the room; the SFU answers {@code left} and closes the connection. */
  record Leave() implements ClientToSfu {}
}
