package com.parchchat.protocol.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.stun.StunAttribute.AdditionalAddressFamily;
import com.parchchat.protocol.stun.StunAttribute.AddressErrorCode;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.Data;
import com.parchchat.protocol.stun.StunAttribute.DontFragment;
import com.parchchat.protocol.stun.StunAttribute.ErrorCode;
import com.parchchat.protocol.stun.StunAttribute.EvenPort;
import com.parchchat.protocol.stun.StunAttribute.IceControlling;
import com.parchchat.protocol.stun.StunAttribute.Icmp;
import com.parchchat.protocol.stun.StunAttribute.Lifetime;
import com.parchchat.protocol.stun.StunAttribute.MappedAddress;
import com.parchchat.protocol.stun.StunAttribute.Nonce;
import com.parchchat.protocol.stun.StunAttribute.PasswordAlgorithm;
import com.parchchat.protocol.stun.StunAttribute.PasswordAlgorithms;
import com.parchchat.protocol.stun.StunAttribute.Priority;
import com.parchchat.protocol.stun.StunAttribute.Realm;
import com.parchchat.protocol.stun.StunAttribute.RequestedAddressFamily;
import com.parchchat.protocol.stun.StunAttribute.RequestedTransport;
import com.parchchat.protocol.stun.StunAttribute.ReservationToken;
import com.parchchat.protocol.stun.StunAttribute.Software;
import com.parchchat.protocol.stun.StunAttribute.Unknown;
import com.parchchat.protocol.stun.StunAttribute.UnknownAttributes;
import com.parchchat.protocol.stun.StunAttribute.UseCandidate;
import com.parchchat.protocol.stun.StunAttribute.Username;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StunCodecRoundTripTest {

  static byte[] everyAttributeMessage() {
    try {
      return StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, new byte[12])
          .add(new MappedAddress(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 1)))
          .add(new XorPeerAddress(new InetSocketAddress(InetAddress.getByName("::1"), 65535)))
          .add(new XorRelayedAddress(new InetSocketAddress(InetAddress.getByName("203.0.113.9"), 49152)))
          .add(new Username("u"))
          .add(new Realm("parch"))
          .add(new Nonce("n0nce"))
          .add(new Software("parch-turn"))
          .add(ErrorCode.of(ErrorCode.STALE_NONCE))
          .add(new UnknownAttributes(List.of(0x7777, 0x0001, 0x0002)))
          .add(new PasswordAlgorithm(PasswordAlgorithm.MD5, new byte[0]))
          .add(new PasswordAlgorithms(List.of(new PasswordAlgorithm(1, new byte[0]), new PasswordAlgorithm(2, new byte[] {9}))))
          .add(new Priority(0xFFFFFFFFL))
          .add(new UseCandidate())
          .add(new IceControlling(-1L))
          .add(new ChannelNumber(0x4001))
          .add(new Lifetime(600))
          .add(new Data(new byte[] {1, 2, 3, 4, 5}))
          .add(new RequestedAddressFamily(2))
          .add(new AdditionalAddressFamily(2))
          .add(new EvenPort(true))
          .add(new RequestedTransport(RequestedTransport.UDP))
          .add(new DontFragment())
          .add(new ReservationToken(new byte[8]))
          .add(new AddressErrorCode(1, 440, "Address Family not Supported"))
          .add(new Icmp(3, 13, 0x01020304))
          .add(new Unknown(0x7fff, new byte[] {7}))
          .integrity(new byte[] {1, 2, 3})
          .integritySha256(new byte[] {4, 5, 6})
          .fingerprint()
          .encode();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyAttributeRoundTrips() throws Exception {
    StunMessage m = StunMessage.decode(everyAttributeMessage());
    assertThat(m.method()).isEqualTo(StunMethod.ALLOCATE);
    assertThat(m.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
    assertThat(m.get(XorPeerAddress.class).address().getPort()).isEqualTo(65535);
    assertThat(m.get(XorPeerAddress.class).address().getAddress()).isEqualTo(InetAddress.getByName("::1"));
    assertThat(m.get(XorRelayedAddress.class).address().getAddress().getHostAddress()).isEqualTo("203.0.113.9");
    assertThat(m.get(ErrorCode.class).code()).isEqualTo(438);
    assertThat(m.get(UnknownAttributes.class).types()).containsExactly(0x7777, 0x0001, 0x0002);
    assertThat(m.get(PasswordAlgorithms.class).algorithms()).hasSize(2);
    assertThat(m.get(PasswordAlgorithms.class).algorithms().get(1).parameters()).containsExactly(9);
    assertThat(m.get(Priority.class).priority()).isEqualTo(0xFFFFFFFFL);
    assertThat(m.get(IceControlling.class).tieBreaker()).isEqualTo(-1L);
    assertThat(m.get(ChannelNumber.class).channel()).isEqualTo(0x4001);
    assertThat(m.get(Lifetime.class).seconds()).isEqualTo(600);
    assertThat(m.get(Data.class).value()).containsExactly(1, 2, 3, 4, 5);
    assertThat(m.get(EvenPort.class).reserve()).isTrue();
    assertThat(m.get(RequestedTransport.class).protocol()).isEqualTo(17);
    assertThat(m.has(DontFragment.class)).isTrue();
    assertThat(m.get(AddressErrorCode.class).code()).isEqualTo(440);
    assertThat(m.get(Icmp.class)).isEqualTo(new Icmp(3, 13, 0x01020304));
    assertThat(m.unknownComprehensionRequired()).containsExactly(0x7fff);
    assertThat(StunIntegrity.verifyMessageIntegrity(m, new byte[] {1, 2, 3})).isTrue();
    assertThat(StunIntegrity.verifyMessageIntegritySha256(m, new byte[] {4, 5, 6})).isTrue();
    assertThat(StunIntegrity.check(m, new byte[] {4, 5, 6})).isEqualTo(StunIntegrity.Result.VALID);
    assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();
  }

  @Test
  void attributesAfterIntegrityAreIgnoredExceptFingerprint() throws Exception {
    byte[] b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, new byte[12])
        .add(new Username("a")).integrity(new byte[] {1}).fingerprint().encode();
    // splice a SOFTWARE attribute between MESSAGE-INTEGRITY and FINGERPRINT: it must be ignored
    byte[] sw = {(byte) 0x80, 0x22, 0, 1, 'x', 0, 0, 0};
    int fpAt = b.length - 8;
    byte[] spliced = new byte[b.length + 8];
    System.arraycopy(b, 0, spliced, 0, fpAt);
    System.arraycopy(sw, 0, spliced, fpAt, 8);
    System.arraycopy(b, fpAt, spliced, fpAt + 8, 8);
    spliced[3] = (byte) (spliced.length - 20);
    StunMessage m = StunMessage.decode(spliced);
    assertThat(m.has(Software.class)).isFalse();
    assertThat(StunIntegrity.verifyMessageIntegrity(m, new byte[] {1})).isTrue();
    assertThat(StunIntegrity.verifyFingerprint(m)).isFalse(); // the CRC covered the original bytes
  }

  @Test
  void messageTypeBitsInterleaveMethodAndClass() {
    assertThat(StunMethod.messageType(StunMethod.BINDING, StunClass.REQUEST)).isEqualTo(0x0001);
    assertThat(StunMethod.messageType(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)).isEqualTo(0x0101);
    assertThat(StunMethod.messageType(StunMethod.BINDING, StunClass.ERROR_RESPONSE)).isEqualTo(0x0111);
    assertThat(StunMethod.messageType(StunMethod.SEND, StunClass.INDICATION)).isEqualTo(0x0016);
    assertThat(StunMethod.messageType(StunMethod.DATA, StunClass.INDICATION)).isEqualTo(0x0017);
    assertThat(StunMethod.messageType(StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE)).isEqualTo(0x0103);
    assertThat(StunMethod.messageType(StunMethod.CHANNEL_BIND, StunClass.ERROR_RESPONSE)).isEqualTo(0x0119);
    for (int method = 0; method <= 0xFFF; method++) {
      for (StunClass c : StunClass.values()) {
        int t = StunMethod.messageType(method, c);
        assertThat(StunMethod.methodOf(t)).isEqualTo(method);
        assertThat(StunMethod.classOf(t)).isEqualTo(c);
      }
    }
  }

  @Test
  void channelDataPaddingRules() throws Exception {
    ChannelData cd = new ChannelData(0x4000, new byte[] {1, 2, 3, 4, 5});
    byte[] udp = cd.encode(false);
    byte[] tcp = cd.encode(true);
    assertThat(udp).hasSize(9);
    assertThat(tcp).hasSize(12);
    assertThat(ChannelData.decode(udp, 0, udp.length).data()).containsExactly(1, 2, 3, 4, 5);
    assertThat(ChannelData.decode(tcp, 0, tcp.length).data()).containsExactly(1, 2, 3, 4, 5);
    assertThat(StunFraming.frameLength(tcp[0], tcp[1], tcp[2], tcp[3])).isEqualTo(12);
    byte[] stun = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, new byte[12]).encode();
    assertThat(StunFraming.frameLength(stun[0], stun[1], stun[2], stun[3])).isEqualTo(20);
    assertThat(ChannelData.isValidChannel(0x4FFF)).isTrue();
    assertThat(ChannelData.isValidChannel(0x5000)).isFalse();
  }
}
