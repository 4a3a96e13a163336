package com.parchchat.sfu.srtp;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sending half of SRTP with AEAD_AES_128_GCM (RFC 7714) for one DTLS association, on the JDK's
 * AES-GCM (SunJCE, AES-NI and carry-less-multiply intrinsics). Like {@link AesCmSrtpSender} it
 * derives the session key and salt once per association (RFC 7714 §11 with RFC 3711's KDF: they do
 * not depend on the SSRC) and keeps one cipher for all of the association's SSRCs, where
 * jitsi-srtp keeps one per SSRC. GCM needs a fresh IV per packet, so the JCE cipher is
 * initialised per packet here too, but without jitsi's extra copies and arrays.
 *
 * <p>IV (RFC 7714 §8.1): {@code (0x0000 || SSRC || ROC || SEQ) XOR salt}; the RTP header (fixed
 * part, CSRCs, extension) is the associated data; the 16-byte tag follows the ciphertext. The ROC
 * is estimated as in {@link AesCmSrtpSender}. Output equals jitsi-srtp's for the same keys and
 * packets ({@code AesGcmSrtpSenderTest}). Not thread-safe: one lane uses it.
 */
final class AesGcmSrtpSender {
  static final int TAG_LENGTH = 16;
  private static final int SALT_LENGTH = 12;

  private final Cipher gcm;
  private final SecretKeySpec key;
  private final byte[] salt;
  private final byte[] iv = new byte[12];

  /** The sender for an association's 16-byte master key and 12-byte master salt. */
  static AesGcmSrtpSender create(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
    if (masterKey.length != 16 || masterSalt.length != SALT_LENGTH) {
      throw new IllegalArgumentException("AEAD_AES_128_GCM needs a 16-byte key and a 12-byte salt");
    }
    Cipher master = Cipher.getInstance("AES/ECB/NoPadding", "SunJCE");
    master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
    // RFC 7714 §11: RFC 3711's AES-CM PRF, the 96-bit master salt in the first 12 of its 14 bytes
    byte[] salt14 = new byte[14];
    System.arraycopy(masterSalt, 0, salt14, 0, SALT_LENGTH);
    return new AesGcmSrtpSender(AesCmSrtpSender.derive(master, salt14, 0, 16),
        AesCmSrtpSender.derive(master, salt14, 2, SALT_LENGTH));
  }

  AesGcmSrtpSender(byte[] sessionKey, byte[] sessionSalt) throws GeneralSecurityException {
    this.key = new SecretKeySpec(sessionKey, "AES");
    this.salt = sessionSalt.clone();
    this.gcm = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
  }

  /** Encrypts the RTP packet in {@code buf} in place and appends the 128-bit tag. */
  void protect(AesCmSrtpSender.Stream stream, PacketBuffer buf) throws SrtpException {
    int len = buf.getLength();
    int header = AesCmSrtpSender.headerLength(buf.getBuffer(), buf.getOffset(), len);
    if (buf.getBuffer().length - buf.getOffset() - len < TAG_LENGTH) {
      buf.grow(TAG_LENGTH);
    }
    byte[] b = buf.getBuffer();
    int off = buf.getOffset();
    int seq = ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    long roc = AesCmSrtpSender.estimateRoc(stream, seq);
    int ssrc = stream.ssrc;
    iv[0] = salt[0];
    iv[1] = salt[1];
    iv[2] = (byte) (salt[2] ^ (ssrc >>> 24));
    iv[3] = (byte) (salt[3] ^ (ssrc >>> 16));
    iv[4] = (byte) (salt[4] ^ (ssrc >>> 8));
    iv[5] = (byte) (salt[5] ^ ssrc);
    iv[6] = (byte) (salt[6] ^ (roc >>> 24));
    iv[7] = (byte) (salt[7] ^ (roc >>> 16));
    iv[8] = (byte) (salt[8] ^ (roc >>> 8));
    iv[9] = (byte) (salt[9] ^ roc);
    iv[10] = (byte) (salt[10] ^ (seq >>> 8));
    iv[11] = (byte) (salt[11] ^ seq);
    try {
      init();
      gcm.updateAAD(b, off, header);
      int n = gcm.doFinal(b, off + header, len - header, b, off + header);
      buf.setLength(header + n);
    } catch (GeneralSecurityException e) {
      throw new SrtpException("SRTP protect failed: " + e.getMessage());
    }
    AesCmSrtpSender.update(stream, seq, roc);
  }

  private void init() throws GeneralSecurityException {
    try {
      gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
    } catch (InvalidAlgorithmParameterException sameIvAsLastTime) {
      // SunJCE refuses the IV of its previous encryption. That happens here only for a NACK answer
      // re-sent right after its original: the same packet under the same IV, i.e. the same bytes
      // on the wire, which reveals nothing. Step over the check with a throwaway IV.
      byte[] other = iv.clone();
      other[0] ^= 1;
      gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, other));
      gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
    }
  }
}
