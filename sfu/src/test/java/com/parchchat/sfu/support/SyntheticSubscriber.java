package com.parchchat.sfu.support;

import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.sfu.dtls.DtlsIdentity;
import com.parchchat.sfu.dtls.Fingerprint;
import com.parchchat.sfu.srtp.PacketBuffer;
import com.parchchat.sfu.srtp.SrtpException;
import com.parchchat.sfu.srtp.SrtpProfile;
import com.parchchat.sfu.srtp.SrtpSession;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A minimal receive-only WebRTC endpoint written from the RFCs, for tests that need to see the
 * SFU's packets one by one: answers the SFU's offer ({@code recvonly} for every remote track),
 * nominates the SFU's candidate with an ICE check (RFC 8445 §7.2.2, USE-CANDIDATE, short-term
 * MESSAGE-INTEGRITY), runs a DTLS 1.2 client handshake with {@code use_srtp}
 * (BouncyCastle, AES_CM_128_HMAC_SHA1_80, the server certificate checked against the offer's
 * fingerprint), then decrypts every RTP packet (authentication and replay check) and records
 * its (SSRC, sequence number, timestamp). On a sequence gap it sends a generic NACK (RFC 4585
 * §6.2.1) for the missing numbers — one NACK per gap, never repeated — so a test can check that
 * exactly those packets come back.
 */
public final class SyntheticSubscriber implements SdpPeer, AutoCloseable {
  private static final SrtpProfile PROFILE = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
  private static final Pattern ICE_UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");
  private static final Pattern ICE_PWD = Pattern.compile("a=ice-pwd:(\\S+)");
  private static final Pattern FINGERPRINT = Pattern.compile("a=fingerprint:sha-256 (\\S+)");
  private static final Pattern CANDIDATE = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ (\\S+) (\\d+) typ host");

  private final DatagramSocket socket;
  private final DtlsIdentity identity = DtlsIdentity.generate(new SecureRandom());
  private final String ufrag = "syn" + Long.toString(System.nanoTime() & 0xFFFFFF, 36);
  private final String pwd = "synthetic-subscriber-pwd-0123456789";
  private final int rtcpSsrc = 0x5EED0001;
  private final BlockingQueue<byte[]> dtlsIn = new LinkedBlockingQueue<>();
  private final Map<Long, Integer> highest = new ConcurrentHashMap<>();
  /** (SSRC, sequence) keys ({@link LossyUdpProxy#key}) of every packet decrypted, with its RTP timestamp. */
  private final Map<Long, Long> received = new ConcurrentHashMap<>();
  private final Set<Long> nacked = ConcurrentHashMap.newKeySet();
  /** NACKed keys that were decrypted after the NACK was sent. */
  private final Set<Long> recovered = ConcurrentHashMap.newKeySet();
  private final Thread reader;
  private volatile InetSocketAddress sfu;
  private volatile String sfuUfrag;
  private volatile byte[] sfuKey;
  private volatile Fingerprint sfuFingerprint;
  private volatile SrtpSession srtp;
  private volatile boolean closed;
  private int offers;

  public SyntheticSubscriber() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    reader = new Thread(this::readLoop, "synthetic-subscriber");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public String createOffer() {
    throw new UnsupportedOperationException("the synthetic subscriber only answers the SFU's offers");
  }

  @Override
  public void applyAnswer(String answerSdp) {
    throw new UnsupportedOperationException("the synthetic subscriber only answers the SFU's offers");
  }

  /**
   * Answers an SFU offer; the first one also starts ICE and DTLS (on another thread).
   *
   * @param candidateOverride where to send media instead of the offer's candidate (a proxy), or null
   */
  public String answer(String offer, InetSocketAddress candidateOverride) {
    sfuUfrag = find(ICE_UFRAG, offer);
    sfuKey = StunIntegrity.shortTermKey(find(ICE_PWD, offer));
    sfuFingerprint = new Fingerprint("sha-256", find(FINGERPRINT, offer));
    Matcher c = CANDIDATE.matcher(offer);
    if (!c.find()) {
      throw new IllegalArgumentException("offer has no host candidate");
    }
    sfu = candidateOverride != null ? candidateOverride : new InetSocketAddress(c.group(1), Integer.parseInt(c.group(2)));
    StringBuilder sb = new StringBuilder();
    sb.append("v=0\r\no=- 4611731400430051336 ").append(++offers).append(" IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    String[] sections = offer.split("\r\nm=");
    List<String> mids = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (int i = 1; i < sections.length; i++) {
      String s = "m=" + sections[i];
      String mid = find(Pattern.compile("a=mid:(\\S+)"), s);
      boolean audio = s.startsWith("m=audio") && !s.startsWith("m=audio 0 ");
      if (!audio) {
        body.append(s.substring(0, s.indexOf("\r\n")).replaceFirst(" \\d+ ", " 0 ")).append("\r\n")
            .append("c=IN IP4 0.0.0.0\r\na=mid:").append(mid).append("\r\na=inactive\r\n");
        continue;
      }
      mids.add(mid);
      // the SFU's tracks have a=ssrc lines; the first section is our own (unused) microphone
      String direction = s.contains("a=ssrc:") && !s.contains("a=inactive") ? "recvonly" : "inactive";
      body.append("m=audio ").append(socket.getLocalPort()).append(" UDP/TLS/RTP/SAVPF 111\r\n")
          .append("c=IN IP4 127.0.0.1\r\n")
          .append("a=ice-ufrag:").append(ufrag).append("\r\n")
          .append("a=ice-pwd:").append(pwd).append("\r\n")
          .append("a=fingerprint:").append(identity.fingerprint().toSdpValue()).append("\r\n")
          .append("a=setup:active\r\n")
          .append("a=mid:").append(mid).append("\r\n")
          .append("a=").append(direction).append("\r\n")
          .append("a=rtcp-mux\r\n")
          .append("a=rtpmap:111 opus/48000/2\r\n")
          .append("a=rtcp-fb:111 nack\r\n");
    }
    sb.append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n");
    sb.append(body);
    if (offers == 1) {
      Thread t = new Thread(this::connect, "synthetic-subscriber-dtls");
      t.setDaemon(true);
      t.start();
    }
    return sb.toString();
  }

  @Override
  public String acceptOffer(String offerSdp) {
    return answer(offerSdp, null);
  }

  /** Received (SSRC, sequence) keys with their RTP timestamps. */
  public Map<Long, Long> received() {
    return Map.copyOf(received);
  }

  public Set<Long> nacked() {
    return Set.copyOf(nacked);
  }

  public Set<Long> recovered() {
    return Set.copyOf(recovered);
  }

  public boolean secured() {
    return srtp != null;
  }

  private static String find(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("offer lacks " + p.pattern());
    }
    return m.group(1);
  }

  private void sendCheck() {
    byte[] check = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, StunMessage.newTransactionId())
        .add(new StunAttribute.Username(sfuUfrag + ":" + ufrag))
        .add(new StunAttribute.Priority(1853824767L))
        .add(new StunAttribute.IceControlling(42L))
        .add(new StunAttribute.UseCandidate())
        .integrity(sfuKey).fingerprint().encode();
    send(check);
  }

  private void send(byte[] data) {
    try {
      socket.send(new DatagramPacket(data, data.length, sfu));
    } catch (IOException e) {
      if (!closed) {
        throw new IllegalStateException("send failed", e);
      }
    }
  }

  /** ICE check (and one a second after, for consent), then the DTLS client handshake and SRTP keys. */
  private void connect() {
    try {
      sendCheck();
      Thread consent = new Thread(() -> {
        while (!closed) {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
          sendCheck();
        }
      }, "synthetic-subscriber-consent");
      consent.setDaemon(true);
      consent.start();
      BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
      Client client = new Client(crypto);
      new DTLSClientProtocol().connect(client, new Transport());
      srtp = new SrtpSession(PROFILE, client.keyingMaterial, false);
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        throw new IllegalStateException("DTLS handshake with the SFU failed", e);
      }
    }
  }

  private void readLoop() {
    byte[] buf = new byte[2048];
    while (!closed) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (IOException e) {
        return;
      }
      int len = p.getLength();
      int first = buf[0] & 0xFF;
      if (first >= 20 && first <= 63) {
        byte[] d = new byte[len];
        System.arraycopy(buf, 0, d, 0, len);
        dtlsIn.add(d);
      } else if (first >= 128 && first <= 191 && len >= 12) {
        int second = buf[1] & 0xFF;
        SrtpSession s = srtp;
        if (s != null && !(second >= 192 && second <= 223)) {
          onRtp(s, buf, len);
        }
      }
    }
  }

  private void onRtp(SrtpSession s, byte[] buf, int len) {
    byte[] copy = new byte[len + 64];
    System.arraycopy(buf, 0, copy, 0, len);
    PacketBuffer pb;
    try {
      pb = s.unprotectRtp(new PacketBuffer(copy, 0, len));
    } catch (SrtpException e) {
      return; // not authentic under this SSRC and index (or a replay): not received
    }
    byte[] b = pb.getBuffer();
    int o = pb.getOffset();
    int seq = (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    long ts = ((long) (b[o + 4] & 0xFF) << 24) | (b[o + 5] & 0xFF) << 16 | (b[o + 6] & 0xFF) << 8 | (b[o + 7] & 0xFF);
    long ssrc = ((long) (b[o + 8] & 0xFF) << 24) | (b[o + 9] & 0xFF) << 16 | (b[o + 10] & 0xFF) << 8 | (b[o + 11] & 0xFF);
    long key = LossyUdpProxy.key(ssrc, seq);
    received.put(key, ts);
    if (nacked.contains(key)) {
      recovered.add(key);
    }
    Integer last = highest.get(ssrc);
    if (last == null) {
      highest.put(ssrc, seq);
      return;
    }
    int ahead = (seq - last) & 0xFFFF;
    if (ahead == 0 || ahead >= 0x8000) {
      return; // old or repeated (a retransmission)
    }
    highest.put(ssrc, seq);
    for (int missing = 1; missing < ahead && missing <= 16; missing++) {
      int lost = (last + missing) & 0xFFFF;
      nacked.add(LossyUdpProxy.key(ssrc, lost));
      sendNack(s, ssrc, lost);
    }
  }

  /** RFC 4585 §6.2.1: RTPFB (205), FMT 1, one FCI with PID and an empty BLP. */
  private void sendNack(SrtpSession s, long mediaSsrc, int pid) {
    byte[] plain = new byte[16 + 64];
    plain[0] = (byte) 0x81;
    plain[1] = (byte) 205;
    plain[3] = 3;
    putInt(plain, 4, rtcpSsrc);
    putInt(plain, 8, (int) mediaSsrc);
    plain[12] = (byte) (pid >>> 8);
    plain[13] = (byte) pid;
    try {
      PacketBuffer out = s.protectRtcp(new PacketBuffer(plain, 0, 16));
      socket.send(new DatagramPacket(out.getBuffer(), out.getOffset(), out.getLength(), sfu));
    } catch (SrtpException | IOException e) {
      throw new IllegalStateException("NACK not sent", e);
    }
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  @Override
  public void close() {
    closed = true;
    socket.close();
    SrtpSession s = srtp;
    if (s != null) {
      s.close();
    }
  }

  /** DTLS records over the socket: sends to the SFU, receives what the read loop queued. */
  private final class Transport implements DatagramTransport {
    @Override
    public int getReceiveLimit() {
      return 1500;
    }

    @Override
    public int getSendLimit() {
      return 1200;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      try {
        byte[] d = dtlsIn.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (d == null) {
          return -1;
        }
        int n = Math.min(len, d.length);
        System.arraycopy(d, 0, buf, off, n);
        return n;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SocketTimeoutException("interrupted");
      }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
      byte[] d = new byte[len];
      System.arraycopy(buf, off, d, 0, len);
      SyntheticSubscriber.this.send(d);
    }

    @Override
    public void close() {
    }
  }

  /** DTLS 1.2 client offering one SRTP profile, checking the SFU's certificate against the offer. */
  private final class Client extends DefaultTlsClient {
    private final BcTlsCrypto crypto;
    private byte[] keyingMaterial;

    Client(BcTlsCrypto crypto) {
      super(crypto);
      this.crypto = crypto;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
          CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
      Hashtable ext = super.getClientExtensions();
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {PROFILE.dtlsId()}, new byte[0]));
      return ext;
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate server) throws IOException {
          Certificate chain = server.getCertificate();
          if (chain == null || chain.isEmpty() || !sfuFingerprint.matches(chain.getCertificateAt(0).getEncoded())) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "SFU certificate does not match its fingerprint");
          }
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
          Certificate chain = new Certificate(new TlsCertificate[] {new BcTlsCertificate(crypto, identity.certificateDer())});
          return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey(),
              chain, SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      keyingMaterial = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, PROFILE.keyingMaterialLength());
    }
  }
}
