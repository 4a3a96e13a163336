package com.parchchat.sfu.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.sfu.support.BotMember;
import com.parchchat.sfu.support.LossyUdpProxy;
import com.parchchat.sfu.support.SdpPeer;
import com.parchchat.sfu.support.SfuFixture;
import com.parchchat.sfu.support.SyntheticSubscriber;
import com.parchchat.testkit.webrtc.ToneBot;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end NACK (RFC 4585 §6.2.1) through the real SFU. A libwebrtc bot publishes a tone; a
 * receive-only {@link SyntheticSubscriber} (DTLS-SRTP client written from the RFCs) takes it
 * through a {@link LossyUdpProxy} that drops chosen RTP packets between the SFU and the
 * subscriber. The subscriber NACKs every gap once; the SFU must answer from the publisher's packet
 * cache with this subscriber's own mapping: every dropped (SSRC, sequence) arrives again, decrypts
 * under SRTP for that SSRC and index, and carries the RTP timestamp of its place in the stream.
 *
 * <p>Why not a libwebrtc listener: webrtc-java's libwebrtc answers the SFU's Opus
 * {@code a=rtcp-fb:111 nack} without it (audio NACK is off unless the local SDP is munged), so it
 * never NACKs audio.
 */
class NackRetransmissionInteropTest {
  private static final String ROOM = "host1:voice-nack";
  /** Dropped RTP packets: single losses 20 packets (0.4 s) apart, after the first 100 (2 s). */
  private static final int DROPS = 8;

  private SfuFixture sfu;
  private LossyUdpProxy proxy;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (sfu != null) {
      sfu.close();
    }
  }

  /** With and without send threads: the NACK is parsed on the media thread, answered on the subscriber's lane. */
  @ParameterizedTest(name = "sendThreads {0}")
  @ValueSource(ints = {0, 1})
  void everyDroppedPacketIsRetransmittedWithTheSubscribersMappingAfterItsNack(int sendThreads) throws Exception {
    sfu = new SfuFixture(SfuFixture.config().withSendThreads(sendThreads));
    proxy = new LossyUdpProxy(sfu.server().mediaAddress(), 100, 20, DROPS);

    ToneBot talker = ToneBot.builder("talker").tone(440).timeout(Duration.ofSeconds(20)).build();
    BotMember t = new BotMember(sfu.wsUri(), "talker", SfuFixture.token("talker", ROOM, true), talker);
    closeables.add(t);

    SyntheticSubscriber sub = new SyntheticSubscriber();
    InetSocketAddress viaProxy = new InetSocketAddress("127.0.0.1", proxy.peerFacingPort());
    SdpPeer peer = new SdpPeer() {
      @Override
      public String createOffer() {
        return sub.createOffer();
      }

      @Override
      public String acceptOffer(String offerSdp) {
        assertThat(offerSdp).contains("a=rtcp-fb:111 nack");
        return sub.answer(offerSdp, viaProxy);
      }

      @Override
      public void applyAnswer(String answerSdp) {
        sub.applyAnswer(answerSdp);
      }
    };
    BotMember l = new BotMember(sfu.wsUri(), "listener", SfuFixture.token("listener", ROOM, false), peer, sub,
        false);
    closeables.add(l);

    await().atMost(Duration.ofSeconds(30)).until(sub::secured);
    // 100 + 8 × 20 packets at 50/s ≈ 5 s of the tone, then every dropped packet is back
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(proxy.dropped()).hasSize(DROPS));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(sub.recovered()).containsAll(proxy.dropped()));

    // the subscriber asked for exactly what the proxy dropped (loopback loses nothing else
    // unless the machine stalls the SFU), and each came back in its place in the stream
    assertThat(sub.nacked()).containsAll(proxy.dropped());
    Map<Long, Long> rx = sub.received();
    for (long key : proxy.dropped()) {
      long before = key - 1;
      long after = key + 1;
      if (rx.containsKey(before) && rx.containsKey(after) && (key & 0xFFFF) != 0 && (key & 0xFFFF) != 0xFFFF) {
        assertThat(rx.get(key) - rx.get(before)).as("timestamp step into the retransmitted packet")
            .isEqualTo(rx.get(after) - rx.get(key)).isPositive();
      }
    }
    assertThat(((Number) sfu.server().rooms().stats(false).get("retransmittedPackets")).longValue())
        .isGreaterThanOrEqualTo(DROPS);
    assertThat(t.failure()).isNull();
    assertThat(l.failure()).isNull();
  }
}
