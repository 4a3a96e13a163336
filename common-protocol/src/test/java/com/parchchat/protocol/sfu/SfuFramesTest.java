package com.parchchat.protocol.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SfuFramesTest {
  private final SignalCodec codec = SignalCodec.withDefaults();

  @Test
  void joinNeverPrintsItsToken() throws Exception {
    ClientToSfu.Join j = (ClientToSfu.Join) codec.decode("{\"type\":\"join\",\"token\":\"secret.jwt.value\"}", ClientToSfu.class);
    assertThat(j.token()).isEqualTo("secret.jwt.value");
    assertThat(j.room()).isNull();
    assertThat(j.sdp()).isNull();
    assertThat(j.toString()).doesNotContain("secret");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"join\"}",
    "{\"type\":\"answer\",\"sdp\":\"v=0\"}",
    "{\"type\":\"answer\",\"sdp\":\"v=0\",\"revision\":-1}",
    "{\"type\":\"mute\"}",
    "{\"type\":\"offer\",\"sdp\":\"v=0\",\"revision\":1}",
    "[]",
  })
  void incompleteOrWrongDirectionFramesAreBadRequests(String frame) {
    assertThatThrownBy(() -> codec.decode(frame, ClientToSfu.class)).isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @ParameterizedTest
  @EnumSource(SfuErrorReason.class)
  void errorReasonsRoundTripByWireName(SfuErrorReason reason) throws Exception {
    String json = codec.encode(new SfuToClient.Error(ErrorCode.BAD_REQUEST, reason, "m"));
    assertThat(json).contains("\"reason\":\"" + reason.wire() + "\"");
    assertThat(((SfuToClient.Error) codec.decode(json, SfuToClient.class)).reason()).isEqualTo(reason);
  }

  @Test
  void unknownReasonIsABadRequest() {
    assertThatThrownBy(() -> codec.decode("{\"type\":\"error\",\"code\":\"internal\",\"reason\":\"nope\",\"message\":\"x\"}",
        SfuToClient.class)).isInstanceOf(ProtocolException.class);
  }
}
