package com.parchchat.sfu.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.sfu.dtls.DtlsIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SDP reading on real offers captured from libwebrtc (webrtc-java 0.14) and Chromium, and writing. */
class PeerDescriptionTest {
  static String resource(String name) throws IOException {
    try (InputStream in = PeerDescriptionTest.class.getResourceAsStream("/sdp/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"libwebrtc-offer.sdp", "chromium-offer.sdp"})
  void realOffersAreUnderstood(String file) throws Exception {
    PeerDescription d = PeerDescription.readOffer(SessionDescription.parse(resource(file)));
    assertThat(d.setup()).isEqualTo("actpass");
    assertThat(d.fingerprint().algorithm()).isEqualTo("sha-256");
    assertThat(d.fingerprint().hex()).hasSize(95);
    PeerDescription.MediaLine audio = d.media().get(0);
    assertThat(audio.usableAudio()).isTrue();
    assertThat(audio.opusPayloadType()).isEqualTo(111);
    assertThat(audio.audioLevelId()).isEqualTo(1);
    assertThat(audio.midExtensionId()).isPositive();
    assertThat(audio.peerSends()).isTrue();
    assertThat(audio.ssrcs()).hasSize(1);
  }

  @Test
  void answerToOurOfferMustMatchMidsAndTakeActive() throws Exception {
    String offer = SdpWriter.write(transport("actpass"), List.of(SdpWriter.Section.audio("0", "recvonly"),
        SdpWriter.Section.track("1", 1234, "pabc", "pabc-audio")));
    SessionDescription parsed = SessionDescription.parse(offer);
    assertThat(parsed.first("ice-lite")).isEqualTo("");
    assertThat(parsed.first("group")).isEqualTo("BUNDLE 0 1");
    assertThat(parsed.media().get(1).all("ssrc")).contains("1234 cname:parch-sfu");
    // an answer shaped like libwebrtc's: same mids, setup active
    String answer = offer.replace("a=setup:actpass", "a=setup:active").replace("a=recvonly", "a=sendonly")
        .replace("a=sendonly\r\na=msid:pabc pabc-audio", "a=recvonly");
    PeerDescription a = PeerDescription.readAnswer(SessionDescription.parse(answer), List.of("0", "1"));
    assertThat(a.media().get(0).peerSends()).isTrue();
    assertThat(a.media().get(1).peerReceives()).isTrue();
    assertThatThrownBy(() -> PeerDescription.readAnswer(SessionDescription.parse(answer), List.of("0", "2")))
        .isInstanceOf(SdpParseException.class).hasMessageContaining("mid");
    assertThatThrownBy(() -> PeerDescription.readAnswer(SessionDescription.parse(offer), List.of("0", "1")))
        .isInstanceOf(SdpParseException.class).hasMessageContaining("setup:active");
  }

  @Test
  void rejectedSectionsAreWrittenWithPortZeroAndLeftOutOfTheBundle() throws Exception {
    String sdp = SdpWriter.write(transport("passive"), List.of(SdpWriter.Section.audio("0", "recvonly"),
        SdpWriter.Section.rejected("1", "application", "UDP/DTLS/SCTP", "webrtc-datachannel")));
    SessionDescription parsed = SessionDescription.parse(sdp);
    assertThat(parsed.first("group")).isEqualTo("BUNDLE 0");
    assertThat(parsed.media().get(1).port()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    "x=0",
    "v=0\r\nno equals sign",
    "v=0\r\nm=audio notaport UDP/TLS/RTP/SAVPF 111",
    "v=0\r\nm=audio 70000 UDP/TLS/RTP/SAVPF 111",
    "v=0\r\nm=audio 9",
  })
  void structurallyBrokenSdpIsATypedError(String sdp) {
    assertThatThrownBy(() -> SessionDescription.parse(sdp)).isInstanceOf(SdpParseException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    // no fingerprint
    "v=0\r\na=setup:actpass\r\na=ice-ufrag:x\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n",
    // passive offer: the SFU cannot be DTLS client
    "v=0\r\na=setup:passive\r\na=ice-ufrag:x\r\na=fingerprint:sha-256 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n",
    // no opus
    "v=0\r\na=setup:actpass\r\na=ice-ufrag:x\r\na=fingerprint:sha-256 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=rtpmap:0 PCMU/8000\r\n",
    // duplicate mid
    "v=0\r\na=setup:actpass\r\na=ice-ufrag:x\r\na=fingerprint:sha-256 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n",
    // unknown fingerprint hash
    "v=0\r\na=setup:actpass\r\na=ice-ufrag:x\r\na=fingerprint:md5 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n",
    // bad extmap id
    "v=0\r\na=setup:actpass\r\na=ice-ufrag:x\r\na=fingerprint:sha-256 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=extmap:999 urn:x\r\n",
    // bad ssrc
    "v=0\r\na=setup:actpass\r\na=ice-ufrag:x\r\na=fingerprint:sha-256 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:-5 cname:x\r\n",
  })
  void unusableOffersAreTypedErrors(String sdp) {
    assertThatThrownBy(() -> PeerDescription.readOffer(SessionDescription.parse(sdp)))
        .isInstanceOf(SdpParseException.class);
  }

  @Test
  void oversizeSdpIsRejectedBeforeParsing() {
    String big = "v=0\r\n" + "a=x\r\n".repeat(SessionDescription.MAX_BYTES / 5 + 1);
    assertThatThrownBy(() -> SessionDescription.parse(big)).isInstanceOf(SdpParseException.class)
        .hasMessageContaining("larger");
  }

  private static SdpWriter.Transport transport(String setup) {
    return new SdpWriter.Transport(1, 2, "ufrag", "pwdpwdpwdpwdpwdpwdpwdpwd",
        DtlsIdentity.generate(new SecureRandom()).fingerprint(), setup,
        List.of(new InetSocketAddress("127.0.0.1", 7882)), 111, 1, 4, "parch-sfu");
  }
}
