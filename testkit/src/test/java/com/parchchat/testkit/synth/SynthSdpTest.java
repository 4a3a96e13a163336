package com.parchchat.testkit.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The parts of an SFU offer the synthetic peer reads, and the answer it writes back. */
class SynthSdpTest {
  /** Shaped like the Parch SFU's offer to a listener: its own (unused) microphone, one remote track, a rejected video. */
  private static final String OFFER = "v=0\r\no=- 42 2 IN IP4 0.0.0.0\r\ns=parch-sfu\r\nt=0 0\r\n"
      + "a=group:BUNDLE 0 1\r\na=msid-semantic: WMS *\r\na=ice-lite\r\n"
      + audio("0", "a=recvonly\r\n", "")
      + audio("1", "a=sendonly\r\na=msid:talker talker-audio\r\n", "a=ssrc:1234 cname:parch\r\n")
      + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=inactive\r\n";

  private static String audio(String mid, String direction, String ssrc) {
    return "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
        + "a=ice-ufrag:sfuU\r\na=ice-pwd:sfu-password-0123456789\r\na=fingerprint:sha-256 AA:BB\r\n"
        + "a=setup:passive\r\na=mid:" + mid + "\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
        + direction + "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 nack\r\n" + ssrc
        + "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\na=end-of-candidates\r\n";
  }

  private final SynthPeer peer = new SynthPeer("listener", false, SynthIdentity.generate(new SecureRandom()));

  @AfterEach
  void close() {
    peer.close();
  }

  @Test
  void readsIceCredentialsFingerprintCandidateAndSections() {
    SynthSdp.Remote r = SynthSdp.parse(OFFER);
    assertThat(r.ufrag()).isEqualTo("sfuU");
    assertThat(r.pwd()).isEqualTo("sfu-password-0123456789");
    assertThat(r.fingerprint()).isEqualTo("sha-256 AA:BB");
    assertThat(r.candidate()).isEqualTo(new InetSocketAddress("127.0.0.1", 40000));
    assertThat(r.sections()).extracting(SynthSdp.Section::mid).containsExactly("0", "1", "2");
    assertThat(r.sections()).extracting(SynthSdp.Section::direction).containsExactly("recvonly", "sendonly", "inactive");
    assertThat(r.sections().get(2).rejected()).isTrue();
    assertThat(r.sections().get(1).opusPt()).isEqualTo(111);
    assertThat(r.sections().get(1).audioLevelId()).isEqualTo(1);

    InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", 50000);
    assertThat(r.withCandidate(proxy).candidate()).isEqualTo(proxy);
    assertThat(r.withCandidate(proxy).sections()).isEqualTo(r.sections());
  }

  @Test
  void answersEverySectionInOrderWithTheChosenDirections() {
    SynthSdp.Remote r = SynthSdp.parse(OFFER);
    String answer = SynthSdp.answer(peer, r, s -> s.direction().equals("sendonly") ? "recvonly" : "inactive", true);

    assertThat(answer).contains("a=group:BUNDLE 0 1\r\n", "a=setup:active\r\n", "a=rtcp-fb:111 nack\r\n",
        "a=fingerprint:" + peer.identity.fingerprint + "\r\n",
        "a=candidate:1 1 udp 2130706431 127.0.0.1 " + peer.localPort() + " typ host\r\n");
    String[] sections = answer.split("\r\nm=");
    assertThat(sections).hasSize(4);
    assertThat(sections[1]).startsWith("audio " + peer.localPort()).contains("a=mid:0\r\n", "a=inactive\r\n");
    assertThat(sections[2]).startsWith("audio " + peer.localPort()).contains("a=mid:1\r\n", "a=recvonly\r\n")
        .doesNotContain("a=ssrc:");
    assertThat(sections[3]).startsWith("video 0 ").contains("a=mid:2\r\n", "a=inactive\r\n");

    assertThat(SynthSdp.answer(peer, r, s -> "recvonly")).doesNotContain("a=rtcp-fb");
  }

  @Test
  void anOfferWithoutIceCredentialsIsRefused() {
    assertThatThrownBy(() -> SynthSdp.parse("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ICE credentials");
  }
}
