package com.parchchat.host.auth;

import com.parchchat.protocol.signal.HostToRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The host's Ed25519 key pair (JDK built-in provider). The public key is registered at the relay;
 * the private key signs each connection's challenge, so no bearer secret ever crosses the wire.
 *
 * <p>Stored in one file readable only by its owner: line 1 the PKCS#8 private key, line 2 the
 * X.509 public key, both base64. {@link #toString()} never shows the private key.
 */
public final class HostIdentity {
  /** Length of the X.509 SubjectPublicKeyInfo prefix before the raw 32-byte Ed25519 key (RFC 8410). */
  private static final int X509_PREFIX = 12;

  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  private HostIdentity(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  public static HostIdentity generate() {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new HostIdentity(kp.getPrivate(), kp.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JDK", e);
    }
  }

  /** Loads the key from {@code file}, or creates it (mode 0600) when the file does not exist. */
  public static HostIdentity loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    HostIdentity id = generate();
    id.save(file);
    return id;
  }

  public static HostIdentity load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    if (lines.size() < 2) {
      throw new IOException("host key file " + file + " must have two lines (private, public)");
    }
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0).trim())));
      PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(lines.get(1).trim())));
      return new HostIdentity(priv, pub);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("host key file " + file + " is not a valid Ed25519 key pair", e);
    }
  }

  public void save(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String text = Base64.getEncoder().encodeToString(privateKey.getEncoded()) + "\n"
        + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + "\n";
    Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // non-POSIX file system (Windows): the user profile's ACLs apply
    }
  }

  /** The raw 32-byte Ed25519 public key (RFC 8032), as the relay stores it. */
  public byte[] rawPublicKey() {
    byte[] enc = publicKey.getEncoded();
    return Arrays.copyOfRange(enc, X509_PREFIX, enc.length);
  }

  /** {@link #rawPublicKey()} in base64 (RFC 4648 §4, padded), the form sent at registration. */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(rawPublicKey());
  }

  /** Signs {@code data} with Ed25519. */
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** The {@code host.auth} answer to a relay challenge. */
  public HostToRelay.HostAuth answer(String hostId, String nonce) {
    byte[] sig = sign(HostToRelay.HostAuth.signedPayloadBytes(hostId, nonce));
    return new HostToRelay.HostAuth(hostId, Base64.getEncoder().encodeToString(sig));
  }

  /** Verifies a signature with this identity's public key (used in tests and self-checks). */
  public boolean verify(byte[] data, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(data);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "HostIdentity[public=" + publicKeyBase64() + "]";
  }
}
