package com.parchchat.testkit.synth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SynthPeerTest {

  @Test
  void payloadStartsAfterCsrcsAndTheHeaderExtension() {
    Buf plain = new Buf(64).set(0, 40);
    assertThat(SynthPeer.payloadOffset(plain)).isEqualTo(12);
    plain.getBuffer()[0] = (byte) 0x82; // two CSRCs
    assertThat(SynthPeer.payloadOffset(plain)).isEqualTo(20);
    plain.getBuffer()[0] = (byte) 0x90; // X=1: one-byte extension of one word (RFC 8285)
    plain.getBuffer()[12] = (byte) 0xBE;
    plain.getBuffer()[13] = (byte) 0xDE;
    plain.getBuffer()[15] = 1;
    assertThat(SynthPeer.payloadOffset(plain)).isEqualTo(20);
  }
}
