package com.parchchat.sfu.srtp;

import io.netty.util.collection.IntObjectHashMap;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP/SRTCP protection for one DTLS association (RFC 3711, RFC 7714), on top of jitsi-srtp.
 *
 * <p>Keys come from the DTLS exporter (RFC 5764 §4.2): {@code client_key | server_key |
 * client_salt | server_salt}. The SFU is the DTLS server, so it decrypts with the client's keys and
 * encrypts with its own. Contexts are per SSRC (the ROC is per stream); jitsi's receive contexts
 * enforce the RFC 3711 §3.3.2 replay list. The contexts are found by SSRC in int-keyed maps (no
 * boxed key per packet). Not thread-safe: one media thread uses it.
 */
public final class SrtpSession implements AutoCloseable {
  private static final LoggerImpl JITSI_LOG = new LoggerImpl(SrtpSession.class.getName());

  /** Largest SRTP trailer of the supported profiles (the GCM tag). */
  private static final int MAX_TRAILER = 16;

  private final SrtpProfile profile;
  private final SrtpContextFactory sendFactory;
  private final SrtpContextFactory receiveFactory;
  private final IntObjectHashMap<SrtpCryptoContext> sendRtp = new IntObjectHashMap<>();
  /** AES-CM only: the send side of RTP on the JDK's AES/HMAC (see {@link AesCmSrtpSender}); null for GCM. */
  private final AesCmSrtpSender aesCmSender;
  private final IntObjectHashMap<AesCmSrtpSender.Stream> sendStreams = new IntObjectHashMap<>();
  private final IntObjectHashMap<SrtpCryptoContext> receiveRtp = new IntObjectHashMap<>();
  private final IntObjectHashMap<SrtcpCryptoContext> sendRtcp = new IntObjectHashMap<>();
  private final IntObjectHashMap<SrtcpCryptoContext> receiveRtcp = new IntObjectHashMap<>();

  /**
   * @param keyingMaterial the DTLS exporter output of {@link SrtpProfile#keyingMaterialLength()} bytes
   * @param localIsDtlsServer whether this end was the DTLS server
   */
  public SrtpSession(SrtpProfile profile, byte[] keyingMaterial, boolean localIsDtlsServer) {
    if (keyingMaterial.length != profile.keyingMaterialLength()) {
      throw new IllegalArgumentException("keying material must be " + profile.keyingMaterialLength() + " bytes");
    }
    int k = profile.keyLength();
    int s = profile.saltLength();
    byte[] clientKey = slice(keyingMaterial, 0, k);
    byte[] serverKey = slice(keyingMaterial, k, k);
    byte[] clientSalt = slice(keyingMaterial, 2 * k, s);
    byte[] serverSalt = slice(keyingMaterial, 2 * k + s, s);
    this.profile = profile;
    byte[] sendKey = localIsDtlsServer ? serverKey : clientKey;
    byte[] sendSalt = localIsDtlsServer ? serverSalt : clientSalt;
    byte[] recvKey = localIsDtlsServer ? clientKey : serverKey;
    byte[] recvSalt = localIsDtlsServer ? clientSalt : serverSalt;
    try {
      this.aesCmSender = profile == SrtpProfile.AES_CM_128_HMAC_SHA1_80 ? AesCmSrtpSender.create(sendKey, sendSalt) : null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks AES or HmacSHA1: " + e.getMessage(), e);
    }
    this.sendFactory = new SrtpContextFactory(true, sendKey, sendSalt, profile.policy(), profile.policy(), JITSI_LOG);
    this.receiveFactory = new SrtpContextFactory(false, recvKey, recvSalt, profile.policy(), profile.policy(), JITSI_LOG);
  }

  public SrtpProfile profile() {
    return profile;
  }

  /**
   * Encrypts the RTP packet in {@code buf} in place and returns it (possibly reallocated to fit the
   * tag): AES-CM through {@link AesCmSrtpSender} (no per-packet cipher set-up or garbage, one
   * cipher and MAC for all SSRCs of the association), AES-GCM through jitsi-srtp (a JCE AES-GCM
   * sender initialised per packet was not cheaper than jitsi's: see {@code SrtpSendCost}).
   */
  public PacketBuffer protectRtp(PacketBuffer buf) throws SrtpException {
    int ssrc = ssrcAt(buf, 8);
    if (aesCmSender != null) {
      AesCmSrtpSender.Stream stream = sendStreams.get(ssrc);
      if (stream == null) {
        stream = aesCmSender.stream(ssrc);
        sendStreams.put(ssrc, stream);
      }
      aesCmSender.protect(stream, buf);
      return buf;
    }
    return protectRtpJitsi(buf, ssrc);
  }

  /** jitsi-srtp's send transform (AES-GCM; the reference the AES-CM sender is tested against). */
  PacketBuffer protectRtpJitsi(PacketBuffer buf, int ssrc) throws SrtpException {
    // jitsi's OpenSSL GCM writes the tag behind the packet without growing the buffer first: a
    // packet without room for it corrupted the heap (JVM crash in AesCmSrtpSenderTest); make room
    if (buf.getBuffer().length - buf.getOffset() - buf.getLength() < MAX_TRAILER) {
      buf.grow(MAX_TRAILER);
    }
    // a header running past the packet is a typed error here (jitsi's GCM throws IllegalArgumentException)
    AesCmSrtpSender.headerLength(buf.getBuffer(), buf.getOffset(), buf.getLength());
    try {
      SrtpCryptoContext ctx = sendRtp.get(ssrc);
      if (ctx == null) {
        ctx = sendFactory.deriveContext(ssrc, 0);
        sendRtp.put(ssrc, ctx);
      }
      check(ctx.transformPacket(buf));
      return buf;
    } catch (GeneralSecurityException e) {
      throw new SrtpException("SRTP protect failed: " + e.getMessage());
    }
  }

  /** Authenticates, replay-checks and decrypts an SRTP packet in place. */
  public PacketBuffer unprotectRtp(PacketBuffer buf) throws SrtpException {
    if (buf.getLength() < 12) {
      throw new SrtpException("SRTP packet too short");
    }
    int ssrc = ssrcAt(buf, 8);
    try {
      SrtpCryptoContext ctx = receiveRtp.get(ssrc);
      if (ctx == null) {
        if (receiveRtp.size() >= 64) {
          throw new SrtpException("too many SSRCs on one association");
        }
        ctx = receiveFactory.deriveContext(ssrc, 0);
        receiveRtp.put(ssrc, ctx);
      }
      check(ctx.reverseTransformPacket(buf, false));
      return buf;
    } catch (GeneralSecurityException e) {
      throw new SrtpException("SRTP unprotect failed: " + e.getMessage());
    }
  }

  public PacketBuffer protectRtcp(PacketBuffer buf) throws SrtpException {
    int ssrc = ssrcAt(buf, 4);
    if (buf.getBuffer().length - buf.getOffset() - buf.getLength() < MAX_TRAILER + 4) {
      buf.grow(MAX_TRAILER + 4); // tag and E flag + SRTCP index (RFC 3711 §3.4), see protectRtpJitsi
    }
    try {
      SrtcpCryptoContext ctx = sendRtcp.get(ssrc);
      if (ctx == null) {
        ctx = sendFactory.deriveControlContext(ssrc);
        sendRtcp.put(ssrc, ctx);
      }
      check(ctx.transformPacket(buf));
      return buf;
    } catch (GeneralSecurityException e) {
      throw new SrtpException("SRTCP protect failed: " + e.getMessage());
    }
  }

  public PacketBuffer unprotectRtcp(PacketBuffer buf) throws SrtpException {
    if (buf.getLength() < 8) {
      throw new SrtpException("SRTCP packet too short");
    }
    int ssrc = ssrcAt(buf, 4);
    try {
      SrtcpCryptoContext ctx = receiveRtcp.get(ssrc);
      if (ctx == null) {
        if (receiveRtcp.size() >= 64) {
          throw new SrtpException("too many RTCP SSRCs on one association");
        }
        ctx = receiveFactory.deriveControlContext(ssrc);
        receiveRtcp.put(ssrc, ctx);
      }
      check(ctx.reverseTransformPacket(buf));
      return buf;
    } catch (GeneralSecurityException e) {
      throw new SrtpException("SRTCP unprotect failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    sendFactory.close();
    receiveFactory.close();
  }

  private static void check(SrtpErrorStatus status) throws SrtpException {
    if (status != SrtpErrorStatus.OK) {
      throw new SrtpException(status.desc);
    }
  }

  private static int ssrcAt(PacketBuffer b, int at) throws SrtpException {
    if (b.getLength() < at + 4) {
      throw new SrtpException("packet too short for SSRC");
    }
    byte[] x = b.getBuffer();
    int o = b.getOffset() + at;
    return ((x[o] & 0xFF) << 24) | ((x[o + 1] & 0xFF) << 16) | ((x[o + 2] & 0xFF) << 8) | (x[o + 3] & 0xFF);
  }

  private static byte[] slice(byte[] src, int from, int len) {
    byte[] out = new byte[len];
    System.arraycopy(src, from, out, 0, len);
    return out;
  }

  /** Pays jitsi-srtp's first-use cost (AES provider benchmark, native lib load) once at start. */
  public static void warmUp() {
    for (SrtpProfile p : SrtpProfile.values()) {
      byte[] km = new byte[p.keyingMaterialLength()];
      try (SrtpSession a = new SrtpSession(p, km, true); SrtpSession b = new SrtpSession(p, km, false)) {
        byte[] pkt = new byte[64];
        pkt[0] = (byte) 0x80;
        pkt[1] = 111;
        PacketBuffer buf = a.protectRtp(new PacketBuffer(pkt, 0, 40));
        b.unprotectRtp(buf);
      } catch (SrtpException e) {
        throw new IllegalStateException("SRTP self-test failed for " + p + ": " + e.getMessage(), e);
      }
    }
  }
}
