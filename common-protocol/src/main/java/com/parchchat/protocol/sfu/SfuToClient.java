package com.parchchat.protocol.sfu;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.Require;
import java.util.List;

/** Frames the SFU sends to a client. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = SfuToClient.Joined.class, name = "joined"),
  @JsonSubTypes.Type(value = SfuToClient.Offer.class, name = "offer"),
  @JsonSubTypes.Type(value = SfuToClient.Answer.class, name = "answer"),
  @JsonSubTypes.Type(value = SfuToClient.ParticipantJoined.class, name = "participant.joined"),
  @JsonSubTypes.Type(value = SfuToClient.ParticipantLeft.class, name = "participant.left"),
  @JsonSubTypes.Type(value = SfuToClient.MuteChanged.class, name = "mute.changed"),
  @JsonSubTypes.Type(value = SfuToClient.Speakers.class, name = "speakers"),
  @JsonSubTypes.Type(value = SfuToClient.Left.class, name = "left"),
  @JsonSubTypes.Type(value = SfuToClient.Error.class, name = "error"),
})
public sealed interface SfuToClient {

  /**
   * The join succeeded. An {@code offer} follows.
   *
   * @param room         the room id {@code <hostId>:<channelId>}
   * @param self         how others see this member
   * @param participants the other members already in the room
   */
  record Joined(String room, SfuParticipant self, List<SfuParticipant> participants) implements SfuToClient {
    public Joined {
      Require.present(room, "room");
      Require.present(self, "self");
      participants = Require.listOrEmpty(participants, "participants");
    }
  }

  /**
   * An SDP offer (Unified Plan). Section {@code mid 0} takes the member's microphone (recvonly, or
   * inactive for receive-only members); each further section is one other member's voice. The client
   * answers with {@code answer} carrying the same revision. A new offer is sent whenever members join
   * or leave, never while an earlier one is unanswered.
   */
  record Offer(String sdp, @JsonProperty(required = true) long revision) implements SfuToClient {
    public Offer {
      Require.present(sdp, "sdp");
      Require.nonNegative(revision, "revision");
    }
  }

  /**
   * The SFU's answer to the offer a client sent inside {@code join}. Later changes still come as
   * SFU {@code offer}s, which keep the client's sections first and in order.
   */
  record Answer(String sdp) implements SfuToClient {
    public Answer {
      Require.present(sdp, "sdp");
    }
  }

  /** Another member entered the room. */
  record ParticipantJoined(SfuParticipant participant) implements SfuToClient {
    public ParticipantJoined {
      Require.present(participant, "participant");
    }
  }

  /** Another member left (or was removed). */
  record ParticipantLeft(String userId) implements SfuToClient {
    public ParticipantLeft {
      Require.present(userId, "userId");
    }
  }

  /** A member's mute state changed (also sent to the member who changed it). */
  record MuteChanged(String userId, @JsonProperty(required = true) boolean muted) implements SfuToClient {
    public MuteChanged {
      Require.present(userId, "userId");
    }
  }

  /**
   * Who is speaking now, loudest first. Sent periodically while the set or levels change.
   *
   * @param levels members with audible voice; empty when everybody is quiet
   */
  record Speakers(List<SpeakerLevel> levels) implements SfuToClient {
    public Speakers {
      levels = Require.listOrEmpty(levels, "levels");
    }
  }

  /**
   * One entry of {@link Speakers}.
   *
   * @param level 0.0 (silence) … 1.0 (full scale), from the RFC 6464 audio level
   */
  record SpeakerLevel(String userId, @JsonProperty(required = true) double level) {
    public SpeakerLevel {
      Require.present(userId, "userId");
    }
  }

  /**
   * This member is out of the room; the SFU closes the connection after this frame.
   *
   * @param reason {@code leave} (asked for it), {@code kicked} (admin removal), {@code replaced} (same
   *               user joined again elsewhere), {@code timeout} (media consent lost) or
   *               {@code media_failed} (DTLS failed, e.g. the certificate does not match the SDP)
   */
  record Left(String reason) implements SfuToClient {
    public Left {
      Require.present(reason, "reason");
    }
  }

  /**
   * A request failed. The connection stays open unless the failure makes it useless (a refused join
   * closes it).
   *
   * @param code    the generic protocol code
   * @param reason  the SFU-specific cause
   * @param message human-readable detail
   */
  record Error(ErrorCode code, SfuErrorReason reason, String message) implements SfuToClient {
    public Error {
      Require.present(code, "code");
      Require.present(reason, "reason");
      Require.present(message, "message");
    }
  }
}
