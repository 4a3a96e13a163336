package com.parchchat.sfu.ice;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** RFC 8445 §7.3 responses of the ICE-lite side, built and checked with the common STUN codec. */
class IceLiteAgentTest {
  private final IceCredentials creds = IceCredentials.random(new SecureRandom());
  private final IceLiteAgent agent = new IceLiteAgent(creds);
  private final InetSocketAddress a = new InetSocketAddress("127.0.0.1", 40000);
  private final InetSocketAddress b = new InetSocketAddress("127.0.0.1", 40001);

  private StunMessage request(String username, String pwd, boolean useCandidate) {
    StunMessage.Builder m = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, StunMessage.newTransactionId());
    if (username != null) {
      m.add(new StunAttribute.Username(username));
    }
    m.add(new StunAttribute.Priority(1853817087L)).add(new StunAttribute.IceControlling(42));
    if (useCandidate) {
      m.add(new StunAttribute.UseCandidate());
    }
    if (pwd != null) {
      m.integrity(StunIntegrity.shortTermKey(pwd));
    }
    return m.fingerprint().build();
  }

  @Test
  void validCheckGetsAnAuthenticatedSuccessWithTheMappedAddressAndNominationSelects() throws Exception {
    IceLiteAgent.Outcome o = agent.onRequest(request(creds.ufrag() + ":peer", creds.pwd(), false), a, 1);
    assertThat(o.valid()).isTrue();
    StunMessage resp = StunMessage.decode(o.response());
    assertThat(resp.is(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)).isTrue();
    assertThat(resp.get(StunAttribute.XorMappedAddress.class).address()).isEqualTo(a);
    assertThat(StunIntegrity.verifyMessageIntegrity(resp, StunIntegrity.shortTermKey(creds.pwd()))).isTrue();
    assertThat(StunIntegrity.verifyFingerprint(resp)).isTrue();
    assertThat(agent.lastConsentNanos()).isEqualTo(1);

    agent.onRequest(request(creds.ufrag() + ":peer", creds.pwd(), true), b, 2);
    assertThat(agent.selected()).isEqualTo(b);
    // a later nomination of another address (network change) switches
    agent.onRequest(request(creds.ufrag() + ":peer", creds.pwd(), true), a, 3);
    assertThat(agent.selected()).isEqualTo(a);
    // a plain check from b only refreshes consent, it does not steal the path
    agent.onRequest(request(creds.ufrag() + ":peer", creds.pwd(), false), b, 4);
    assertThat(agent.selected()).isEqualTo(a);
    assertThat(agent.lastConsentNanos()).isEqualTo(4);
  }

  @Test
  void wrongPasswordOrUfragIs401AndMissingCredentialsIs400() throws Exception {
    assertThat(errorCode(agent.onRequest(request(creds.ufrag() + ":peer", "wrong-password-wrong", false), a, 1)))
        .isEqualTo(401);
    assertThat(errorCode(agent.onRequest(request("other:peer", creds.pwd(), false), a, 1))).isEqualTo(401);
    assertThat(errorCode(agent.onRequest(request(null, creds.pwd(), false), a, 1))).isEqualTo(400);
    assertThat(errorCode(agent.onRequest(request(creds.ufrag() + ":peer", null, false), a, 1))).isEqualTo(400);
    assertThat(agent.selected()).isNull();
    assertThat(agent.lastConsentNanos()).isZero();
  }

  @Test
  void corruptFingerprintIsDroppedSilently() {
    byte[] raw = request(creds.ufrag() + ":peer", creds.pwd(), true).toBytes();
    raw[raw.length - 1] ^= 1;
    StunMessage m;
    try {
      m = StunMessage.decode(raw);
    } catch (Exception e) {
      return; // a codec that refuses it outright is fine too
    }
    assertThat(agent.onRequest(m, a, 1)).isNull();
    assertThat(agent.selected()).isNull();
  }

  private static int errorCode(IceLiteAgent.Outcome o) throws Exception {
    assertThat(o.valid()).isFalse();
    return StunMessage.decode(o.response()).get(StunAttribute.ErrorCode.class).code();
  }
}
