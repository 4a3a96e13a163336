package com.parchchat.protocol.signal;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The host-auth payload works with the JDK's own Ed25519, as host and relay will use it. */
class HostAuthTest {

    @Test
    void signatureOverThePayloadVerifiesOnlyForTheSameHostAndNonce() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key.getPrivate());
        signer.update(HostToRelay.HostAuth.signedPayloadBytes("hk_1", "nonce-a"));
        HostToRelay.HostAuth auth = new HostToRelay.HostAuth("hk_1", Base64.getEncoder().encodeToString(signer.sign()));

        HostToRelay decoded = SignalCodec.withDefaults().decode(SignalCodec.withDefaults().encode(auth), HostToRelay.class);
        byte[] signature = Base64.getDecoder().decode(((HostToRelay.HostAuth) decoded).signature());

        assertThat(verify(key, "hk_1", "nonce-a", signature)).isTrue();
        assertThat(verify(key, "hk_1", "nonce-b", signature)).as("other nonce (replay)").isFalse();
        assertThat(verify(key, "hk_2", "nonce-a", signature)).as("other host").isFalse();
    }

    private static boolean verify(KeyPair key, String hostId, String nonce, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key.getPublic());
        verifier.update(HostToRelay.HostAuth.signedPayloadBytes(hostId, nonce));
        return verifier.verify(signature);
    }
}
