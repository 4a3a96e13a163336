package com.parchchat.testkit.synth;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP for a synthetic peer (jitsi-srtp): one send context for its own SSRC and replay-checked
 * receive contexts per remote SSRC, keyed from the DTLS exporter (RFC 5764 §4.2: client key,
 * server key, client salt, server salt; the peer is always the DTLS client). One thread per
 * direction: the sender thread protects, the receiver thread unprotects (and may send RTCP, which
 * has contexts of its own).
 */
public final class SrtpKeys {
  private static final LoggerImpl LOG = new LoggerImpl(SrtpKeys.class.getName());

  private final SrtpContextFactory sendFactory;
  private final SrtpContextFactory receiveFactory;
  private final Map<Integer, SrtpCryptoContext> send = new HashMap<>();
  private final Map<Integer, SrtpCryptoContext> receive = new HashMap<>();
  private final Map<Integer, SrtcpCryptoContext> sendControl = new HashMap<>();

  static int keyLength(int profile) {
    return 16;
  }

  static int saltLength(int profile) {
    return profile == DtlsSrtpClient.SRTP_AEAD_AES_128_GCM ? 12 : 14;
  }

  public static int materialLength(int profile) {
    return 2 * (keyLength(profile) + saltLength(profile));
  }

  static SrtpPolicy policy(int profile) {
    SrtpPolicy p = profile == DtlsSrtpClient.SRTP_AEAD_AES_128_GCM
        ? new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 16, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12)
        : new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);
    p.setSendReplayEnabled(false);
    p.setReceiveReplayEnabled(true);
    return p;
  }

  /** @param localIsClient true for DTLS keys (the peer is the client); the baseline mirrors it */
  public SrtpKeys(int profile, byte[] material, boolean localIsClient) {
    int k = keyLength(profile);
    int s = saltLength(profile);
    byte[] ck = slice(material, 0, k);
    byte[] sk = slice(material, k, k);
    byte[] cs = slice(material, 2 * k, s);
    byte[] ss = slice(material, 2 * k + s, s);
    sendFactory = new SrtpContextFactory(true, localIsClient ? ck : sk, localIsClient ? cs : ss, policy(profile),
        policy(profile), LOG);
    receiveFactory = new SrtpContextFactory(false, localIsClient ? sk : ck, localIsClient ? ss : cs, policy(profile),
        policy(profile), LOG);
  }

  /** Encrypts in place; returns the new length (buffer must have 16 spare bytes). */
  public int protect(Buf b) throws GeneralSecurityException {
    int ssrc = Buf.int32(b.getBuffer(), b.getOffset() + 8);
    SrtpCryptoContext c = send.get(ssrc);
    if (c == null) {
      c = sendFactory.deriveContext(ssrc, 0);
      send.put(ssrc, c);
    }
    SrtpErrorStatus st = c.transformPacket(b);
    if (st != SrtpErrorStatus.OK) {
      throw new GeneralSecurityException(st.desc);
    }
    return b.getLength();
  }

  /** Authenticates, replay-checks and decrypts in place; false when the packet is refused. */
  public boolean unprotect(Buf b) throws GeneralSecurityException {
    int ssrc = Buf.int32(b.getBuffer(), b.getOffset() + 8);
    SrtpCryptoContext c = receive.get(ssrc);
    if (c == null) {
      if (receive.size() > 256) {
        return false;
      }
      c = receiveFactory.deriveContext(ssrc, 0);
      receive.put(ssrc, c);
    }
    return c.reverseTransformPacket(b, false) == SrtpErrorStatus.OK;
  }

  /** Encrypts and authenticates one compound RTCP packet in place (RFC 3711 §3.4); returns the new length. */
  public int protectRtcp(Buf b) throws GeneralSecurityException {
    int ssrc = Buf.int32(b.getBuffer(), b.getOffset() + 4);
    SrtcpCryptoContext c = sendControl.get(ssrc);
    if (c == null) {
      c = sendFactory.deriveControlContext(ssrc);
      sendControl.put(ssrc, c);
    }
    SrtpErrorStatus st = c.transformPacket(b);
    if (st != SrtpErrorStatus.OK) {
      throw new GeneralSecurityException(st.desc);
    }
    return b.getLength();
  }

  private static byte[] slice(byte[] src, int from, int len) {
    byte[] out = new byte[len];
    System.arraycopy(src, from, out, 0, len);
    return out;
  }
}
