package com.parchchat.sfu.srtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sending half of SRTP with AES_CM_128_HMAC_SHA1_80 (RFC 3711) for one DTLS association, built
 * on the JDK's own AES and HMAC-SHA1 (SunJCE; both use the CPU's AES-NI / SHA extensions through
 * HotSpot intrinsics). It exists for the SFU's hot path: one forwarded packet is encrypted once per
 * receiver, and jitsi-srtp's general transform re-initialises a JCE {@link Cipher} (a JNI round
 * trip into OpenSSL) and allocates the IV, the IV spec and the HMAC result for every packet, and
 * keeps a full cipher and MAC per SSRC (24 speakers × 50 listeners = 1,200 key schedules the
 * media thread walks through). Here the session keys are derived once per association (RFC 3711
 * §4.3 with key derivation rate 0: they do not depend on the SSRC), one AES key schedule and one
 * HMAC serve every SSRC of the association, the keystream is AES-ECB over the counter blocks (RFC
 * 3711 §4.1.1: {@code IV = (k_s·2^16) XOR (SSRC·2^64) XOR (i·2^16)}), and the HMAC result goes into a
 * reused array: no cipher re-initialisation and no allocation per packet. Per SSRC only the
 * rollover state is kept ({@link Stream}).
 *
 * <p>The packet index follows RFC 3711 §3.3.1 and Appendix A (the sender estimates the ROC from
 * the highest sequence number sent, as a receiver would, so a NACK answer re-sent with an old
 * sequence number gets the ROC it had). Output is byte for byte what jitsi-srtp produces for the
 * same keys and packets ({@code AesCmSrtpSenderTest}); the receive side, SRTCP and AES-GCM stay on
 * jitsi-srtp. Not thread-safe: one lane uses it.
 */
final class AesCmSrtpSender {
  /** RFC 3711 §4.3.2 labels. */
  private static final int LABEL_RTP_ENCRYPTION = 0;
  private static final int LABEL_RTP_AUTH = 1;
  private static final int LABEL_RTP_SALT = 2;
  static final int TAG_LENGTH = 10;
  private static final int AUTH_KEY_LENGTH = 20;
  private static final int SALT_LENGTH = 14;
  /** Largest payload encrypted with the reusable keystream arrays (bigger ones get their own). */
  private static final int MAX_BLOCKS = 96;
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final Cipher aes;
  private final Mac hmac;
  /** Session salt, bytes 0-7 and 8-15 (bytes 14-15 zero) of the 128-bit IV base, as big-endian longs. */
  private final long saltHigh;
  private final long saltLow;
  private final byte[] counterBlocks = new byte[MAX_BLOCKS * 16];
  private final byte[] keystream = new byte[MAX_BLOCKS * 16];
  private final byte[] rocBytes = new byte[4];
  private final byte[] mac = new byte[20];

  /** One SSRC's rollover state (RFC 3711 §3.2.1 ROC and s_l) and its part of the AES-CM IV (unused by GCM). */
  static final class Stream {
    final int ssrc;
    /** IV bytes 0-7: salt XOR SSRC·2^64. */
    private final long ivHigh;
    private boolean started;
    private int highestSeq;
    private long roc;

    Stream(int ssrc, long ivHigh) {
      this.ssrc = ssrc;
      this.ivHigh = ivHigh;
    }
  }

  /** The sender for an association's master key and salt (RFC 3711 §4.3, key derivation rate 0). */
  static AesCmSrtpSender create(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
    if (masterKey.length != 16 || masterSalt.length != SALT_LENGTH) {
      throw new IllegalArgumentException("AES_CM_128_HMAC_SHA1_80 needs a 16-byte key and a 14-byte salt");
    }
    Cipher master = Cipher.getInstance("AES/ECB/NoPadding", "SunJCE");
    master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
    return new AesCmSrtpSender(derive(master, masterSalt, LABEL_RTP_ENCRYPTION, 16),
        derive(master, masterSalt, LABEL_RTP_AUTH, AUTH_KEY_LENGTH),
        derive(master, masterSalt, LABEL_RTP_SALT, SALT_LENGTH));
  }

  /** From session keys already derived (RFC 3711 Appendix B.2's keystream vector starts here). */
  AesCmSrtpSender(byte[] sessionKey, byte[] authKey, byte[] sessionSalt) throws GeneralSecurityException {
    byte[] iv = new byte[16];
    System.arraycopy(sessionSalt, 0, iv, 0, SALT_LENGTH);
    this.saltHigh = (long) LONG_BE.get(iv, 0);
    this.saltLow = (long) LONG_BE.get(iv, 8);
    this.aes = Cipher.getInstance("AES/ECB/NoPadding", "SunJCE");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"));
    this.hmac = Mac.getInstance("HmacSHA1", "SunJCE");
    hmac.init(new SecretKeySpec(authKey, "HmacSHA1"));
  }

  /**
   * RFC 3711 §4.3.1 with key derivation rate 0: {@code x = (label·2^48) XOR master_salt}, output
   * the AES-CM keystream under the master key with {@code IV = x·2^16}.
   */
  static byte[] derive(Cipher masterAes, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
    int blocks = (length + 15) / 16;
    byte[] in = new byte[blocks * 16];
    for (int b = 0; b < blocks; b++) {
      int o = b * 16;
      System.arraycopy(masterSalt, 0, in, o, SALT_LENGTH);
      in[o + 7] ^= (byte) label; // the 8-bit label sits 48 bits above the (zero) index, in the 112-bit x
      in[o + 14] = (byte) (b >>> 8);
      in[o + 15] = (byte) b;
    }
    byte[] out = masterAes.doFinal(in);
    byte[] key = new byte[length];
    System.arraycopy(out, 0, key, 0, length);
    return key;
  }

  /** A fresh rollover state for {@code ssrc} (ROC 0). */
  Stream stream(int ssrc) {
    return new Stream(ssrc, saltHigh ^ (ssrc & 0xFFFFFFFFL));
  }

  /**
   * Encrypts the RTP packet in {@code buf} (of {@code stream}'s SSRC) in place and appends the
   * 80-bit tag, growing the buffer if it has no room for it.
   */
  void protect(Stream stream, PacketBuffer buf) throws SrtpException {
    int len = buf.getLength();
    byte[] b = buf.getBuffer();
    int off = buf.getOffset();
    int header = headerLength(b, off, len);
    int seq = ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    long packetRoc = estimateRoc(stream, seq);
    long index = (packetRoc << 16) | seq;
    try {
      encryptPayload(stream, b, off + header, len - header, index);
      if (b.length - off - len < TAG_LENGTH) {
        buf.grow(TAG_LENGTH);
        b = buf.getBuffer();
        off = buf.getOffset();
      }
      rocBytes[0] = (byte) (packetRoc >>> 24);
      rocBytes[1] = (byte) (packetRoc >>> 16);
      rocBytes[2] = (byte) (packetRoc >>> 8);
      rocBytes[3] = (byte) packetRoc;
      hmac.update(b, off, len);
      hmac.update(rocBytes, 0, 4);
      hmac.doFinal(mac, 0);
    } catch (GeneralSecurityException e) {
      throw new SrtpException("SRTP protect failed: " + e.getMessage());
    }
    System.arraycopy(mac, 0, b, off + len, TAG_LENGTH);
    buf.setLength(len + TAG_LENGTH);
    update(stream, seq, packetRoc);
  }

  /** RFC 3711 Appendix A: the ROC this sequence number belongs to, relative to the highest sent. */
  static long estimateRoc(Stream s, int seq) {
    if (!s.started) {
      return s.roc;
    }
    if (s.highestSeq < 32768) {
      return seq - s.highestSeq > 32768 ? (s.roc - 1) & 0xFFFFFFFFL : s.roc;
    }
    return s.highestSeq - 32768 > seq ? (s.roc + 1) & 0xFFFFFFFFL : s.roc;
  }

  static void update(Stream s, int seq, long packetRoc) {
    long index = (packetRoc << 16) | seq;
    if (!s.started || index > ((s.roc << 16) | s.highestSeq)) {
      s.started = true;
      s.roc = packetRoc;
      s.highestSeq = seq;
    }
  }

  private void encryptPayload(Stream stream, byte[] b, int from, int length, long index)
      throws ShortBufferException {
    if (length <= 0) {
      return;
    }
    int blocks = (length + 15) / 16;
    byte[] ctr = blocks <= MAX_BLOCKS ? counterBlocks : new byte[blocks * 16];
    byte[] ks = blocks <= MAX_BLOCKS ? keystream : new byte[blocks * 16];
    // IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16): bytes 0-7 per stream, the 48-bit index
    // over bytes 8-13, the block counter in bytes 14-15 (zero in the salted base, so + adds no carry)
    long low = saltLow ^ (index << 16);
    for (int k = 0; k < blocks; k++) {
      LONG_BE.set(ctr, k * 16, stream.ivHigh);
      LONG_BE.set(ctr, k * 16 + 8, low + k);
    }
    aes.update(ctr, 0, blocks * 16, ks, 0);
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      LONG_BE.set(b, from + i, (long) LONG_BE.get(b, from + i) ^ (long) LONG_BE.get(ks, i));
    }
    for (; i < length; i++) {
      b[from + i] ^= ks[i];
    }
  }

  /** Fixed header, CSRC list and header extension (RFC 3550 §5.1, §5.3.1): what stays in the clear. */
  static int headerLength(byte[] b, int off, int len) throws SrtpException {
    if (len < 12) {
      throw new SrtpException("RTP packet too short");
    }
    int first = b[off] & 0xFF;
    int header = 12 + 4 * (first & 0x0F);
    if ((first & 0x10) != 0) {
      if (len < header + 4) {
        throw new SrtpException("RTP header extension truncated");
      }
      int words = ((b[off + header + 2] & 0xFF) << 8) | (b[off + header + 3] & 0xFF);
      header += 4 + 4 * words;
    }
    if (header > len) {
      throw new SrtpException("RTP header longer than the packet");
    }
    return header;
  }
}
