package com.parchchat.host.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.parchchat.protocol.signal.HostToRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {
  @TempDir Path dir;

  @Test
  void createsOnceThenReusesAnOwnerOnlyKeyFile() throws Exception {
    Path file = dir.resolve("host.key");
    HostIdentity first = HostIdentity.loadOrCreate(file);
    HostIdentity again = HostIdentity.loadOrCreate(file);
    assertThat(again.publicKeyBase64()).isEqualTo(first.publicKeyBase64());
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(first.toString()).doesNotContain(Files.readAllLines(file).get(0));
  }

  @Test
  void answerVerifiesWithTheRawPublicKeyLikeTheRelayDoes() throws Exception {
    HostIdentity id = HostIdentity.generate();
    byte[] raw = id.rawPublicKey();
    assertThat(raw).hasSize(32);
    HostToRelay.HostAuth auth = id.answer("h_1", "nonce-123");
    // rebuild the key from the 32 raw bytes (RFC 8410 SubjectPublicKeyInfo prefix) and verify
    byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    byte[] der = new byte[44];
    System.arraycopy(prefix, 0, der, 0, 12);
    System.arraycopy(raw, 0, der, 12, 32);
    PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(pub);
    v.update(HostToRelay.HostAuth.signedPayloadBytes("h_1", "nonce-123"));
    assertThat(v.verify(Base64.getDecoder().decode(auth.signature()))).isTrue();
    // bound to host id and nonce
    v.initVerify(pub);
    v.update(HostToRelay.HostAuth.signedPayloadBytes("h_2", "nonce-123"));
    assertThat(v.verify(Base64.getDecoder().decode(auth.signature()))).isFalse();
  }
}
