package com.parchchat.turn.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerPolicyTest {

  @ParameterizedTest(name = "{0}: default={1} loopbackAllowed={2} privateAllowed={3}")
  @CsvSource({
      "127.0.0.1, false, true, false",
      "127.255.0.9, false, true, false",
      "::1, false, true, false",
      "10.1.2.3, false, false, true",
      "172.16.0.1, false, false, true",
      "172.31.255.255, false, false, true",
      "172.32.0.1, true, true, true",
      "192.168.0.1, false, false, true",
      "100.64.0.1, false, false, true",
      "fd00::1, false, false, true",
      "169.254.0.1, false, false, false",
      "fe80::1, false, false, false",
      "0.0.0.0, false, false, false",
      "::, false, false, false",
      "224.0.0.1, false, false, false",
      "ff02::1, false, false, false",
      "255.255.255.255, false, false, false",
      "240.0.0.1, false, false, false",
      "::ffff:127.0.0.1, false, true, false",
      "198.51.100.7, true, true, true",
      "8.8.8.8, true, true, true",
      "2001:db8::1, true, true, true"})
  void classifiesPeers(String ip, boolean byDefault, boolean withLoopback, boolean withPrivate) throws Exception {
    InetAddress a = InetAddress.getByName(ip);
    assertThat(new PeerPolicy(false, false).isAllowed(a)).isEqualTo(byDefault);
    assertThat(new PeerPolicy(true, false).isAllowed(a)).isEqualTo(withLoopback);
    assertThat(new PeerPolicy(false, true).isAllowed(a)).isEqualTo(withPrivate);
  }
}
