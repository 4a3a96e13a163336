package com.parchchat.sfu.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.parchchat.sfu.dtls.Fingerprint;
import com.parchchat.sfu.sdp.PeerDescription;
import com.parchchat.sfu.sdp.SdpParseException;
import com.parchchat.sfu.sdp.SdpWriter;
import com.parchchat.sfu.sdp.SessionDescription;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the SDP reader (RFC 8866 §5 structure, RFC 8829/3264 offer and answer
 * rules as {@link PeerDescription} applies them).
 *
 * <p>{@link SessionDescription#parse}, {@link PeerDescription#readOffer} and
 * {@link PeerDescription#readAnswer} must return or throw {@link SdpParseException}. Round trip:
 * for an offer the SFU accepts, the description {@link SdpWriter} writes in reply (sections built
 * the way {@code Participant.acceptOffer} builds them) parses and reads back with the same m-lines
 * in the same order, the same mids, our fingerprint, and exactly one usable audio section. The
 * reply is written with {@code actpass} so that the public offer reader can read it back.
 */
class SdpFuzzTest {
  private static final Fingerprint SFU_FINGERPRINT = new Fingerprint("sha-256",
      "63:48:C8:CF:ED:3A:FB:35:11:AA:6C:0F:29:0C:53:16:C1:CB:96:1C:80:20:AE:BA:D1:A8:C9:95:DD:9C:A3:AC");
  private static final SdpWriter.Transport TRANSPORT = new SdpWriter.Transport(1, 2, "fuzz", "fuzzfuzzfuzzfuzzfuzzfuzz",
      SFU_FINGERPRINT, "actpass", List.of(new InetSocketAddress("127.0.0.1", 7882)), SdpWriter.DEFAULT_OPUS_PT,
      SdpWriter.DEFAULT_AUDIO_LEVEL_ID, SdpWriter.DEFAULT_MID_ID, "parch-sfu");

  @FuzzTest(maxDuration = "10s")
  void parse(byte[] input) {
    SessionDescription sdp;
    try {
      sdp = SessionDescription.parse(new String(input, StandardCharsets.UTF_8));
    } catch (SdpParseException e) {
      typed(e);
      return;
    }
    List<String> mids = new ArrayList<>();
    for (SessionDescription.Media m : sdp.media()) {
      String mid = m.first("mid");
      mids.add(mid == null ? "" : mid);
    }
    try {
      PeerDescription.readAnswer(sdp, mids);
    } catch (SdpParseException e) {
      typed(e);
    }
    PeerDescription offer;
    try {
      offer = PeerDescription.readOffer(sdp);
    } catch (SdpParseException e) {
      typed(e);
      return;
    }
    answerRoundTrip(offer);
  }

  private static void answerRoundTrip(PeerDescription offer) {
    List<SdpWriter.Section> sections = new ArrayList<>();
    int own = -1;
    for (int i = 0; i < offer.media().size(); i++) {
      PeerDescription.MediaLine m = offer.media().get(i);
      if (own < 0 && m.usableAudio()) {
        own = i;
        sections.add(SdpWriter.Section.audio(m.mid(), m.peerSends() ? "recvonly" : "inactive"));
      } else {
        sections.add(SdpWriter.Section.rejected(m.mid(), m.type(), m.proto(), String.join(" ", m.formats())));
      }
    }
    Fuzz.check(own >= 0, "readOffer accepted an offer without usable audio");
    String written = SdpWriter.write(TRANSPORT, sections);
    if (written.length() > SessionDescription.MAX_BYTES) {
      return; // hundreds of sections: the reply itself would be refused by the size limit
    }
    PeerDescription back;
    try {
      back = PeerDescription.readOffer(SessionDescription.parse(written));
    } catch (SdpParseException e) {
      throw new AssertionError("SdpWriter output does not read back: " + e.getMessage() + "\n" + written, e);
    }
    Fuzz.check(back.media().size() == offer.media().size(),
        offer.media().size() + " m-lines became " + back.media().size() + "\n" + written);
    Fuzz.check(back.fingerprint().equals(SFU_FINGERPRINT), "fingerprint changed");
    for (int i = 0; i < back.media().size(); i++) {
      PeerDescription.MediaLine m = back.media().get(i);
      Fuzz.check(m.mid().equals(offer.media().get(i).mid()), "mid of m-line " + i + " changed\n" + written);
      Fuzz.check(m.usableAudio() == (i == own), "m-line " + i + " usable audio flag changed\n" + written);
      Fuzz.check(m.rejected() == (i != own), "m-line " + i + " rejected flag changed\n" + written);
    }
  }

  private static void typed(SdpParseException e) {
    Fuzz.check(e.getMessage() != null, "SdpParseException without a message");
  }
}
