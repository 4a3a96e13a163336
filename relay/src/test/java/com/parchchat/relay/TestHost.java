package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.parchchat.protocol.signal.HostToRelay;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

/** A host as the relay sees it: an Ed25519 key pair, registered over HTTP, speaking on /ws/host. */
final class TestHost {
  final KeyPair keys;
  final String id;

  TestHost(TestRelay relay, String name) {
    try {
      keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    String x509 = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    Api.Res r = relay.api.post("/api/v1/hosts", Map.of("name", name, "publicKey", x509), null);
    assertThat(r.status()).as("host register: %s", r.body()).isEqualTo(201);
    id = r.body().get("hostId").asText();
  }

  String sign(String hostId, String nonce) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(keys.getPrivate());
      s.update(HostToRelay.HostAuth.signedPayloadBytes(hostId, nonce));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Connects and authenticates; returns the socket after {@code host.ready}. */
  WsClient connect(TestRelay relay) throws Exception {
    WsClient ws = WsClient.connect(relay.wsUrl("/ws/host"));
    String nonce = ws.expect("host.challenge").get("nonce").asText();
    ws.sendJson(Map.of("type", "host.auth", "hostId", id, "signature", sign(id, nonce)));
    JsonNode ready = ws.expect("host.ready");
    assertThat(ready.get("hostId").asText()).isEqualTo(id);
    return ws;
  }
}
