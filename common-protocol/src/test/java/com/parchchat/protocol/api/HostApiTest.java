package com.parchchat.protocol.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.protocol.signal.ProtocolException;
import com.parchchat.protocol.signal.SignalCodec;
import com.parchchat.protocol.signal.UserRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostApiTest {

    private final SignalCodec codec = SignalCodec.withDefaults();

    @Test
    void requestBodyTravelsInsideALayerOneFrame() throws Exception {
        HostRequest send = new HostRequest.MessageSend("c1", "n-1", "hello @bob", null);
        String frame = codec.encode(new ClientToRelay.Request("h1", "17", codec.toBody(send)));

        ClientToRelay.Request request = (ClientToRelay.Request) codec.decode(frame, ClientToRelay.class);
        HostRequest decoded = codec.fromBody(request.body(), HostRequest.class);

        assertThat(decoded).isEqualTo(send);
        assertThat(decoded.replyType()).isEqualTo(HostReply.MessageResult.class);
    }

    @Test
    void expectGivesTheTypedResultOrTheHostsError() throws Exception {
        Message message = new Message(5, "c1", new UserRef("u1", "alice", "Alice"), "n-1", "hi", 1000L,
                null, null, List.of(), List.of());
        JsonNode ok = codec.toBody(new HostReply.MessageResult(message));
        JsonNode error = codec.toBody(new HostReply.Error(ErrorCode.FORBIDDEN, "not a member"));

        HostReply.MessageResult result = HostReply.expect(codec.fromBody(ok, HostReply.class), HostReply.MessageResult.class);

        assertThat(result.message()).isEqualTo(message);
        assertThatThrownBy(() -> HostReply.expect(codec.fromBody(error, HostReply.class), HostReply.MessageResult.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).isEqualTo("not a member");
                });
        assertThatThrownBy(() -> HostReply.expect(new HostReply.Ok(), HostReply.MessageResult.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void historyRejectsBothDirectionsAtOnce() {
        JsonNode body = codec.toBody(new HostRequest.MessageHistory("c1", 10L, null, 50));
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("after", 3);

        assertThatThrownBy(() -> codec.fromBody(body, HostRequest.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("'before' and 'after' are exclusive");
                });
    }

    @Test
    void unknownEnumValueIsABadRequest() throws Exception {
        JsonNode body = codec.toBody(new HostRequest.ChannelCreate("s1", "lobby", ChannelKind.VOICE));
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("kind", "video");

        assertThatThrownBy(() -> codec.fromBody(body, HostRequest.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void missingRequiredNumberIsReported() {
        JsonNode body = codec.toBody(new HostRequest.ReadMark("c1", 3));
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).remove("messageId");

        assertThatThrownBy(() -> codec.fromBody(body, HostRequest.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("missing field 'messageId'");
                });
    }
}
