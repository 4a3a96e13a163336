package com.parchchat.testkit.synth;

import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.protocol.stun.StunParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * One synthetic WebRTC endpoint on its own loopback UDP socket: full-ICE connectivity checks with
 * short-term credentials (RFC 8445 §7.2: USERNAME, PRIORITY, ICE-CONTROLLING/-CONTROLLED,
 * USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT), answers to the SFU's checks (Janus is full ICE),
 * a DTLS 1.2 client handshake with {@code use_srtp} (BouncyCastle), SRTP with the exported keys
 * (jitsi-srtp). Incoming datagrams are demultiplexed by first byte (RFC 7983) on the receiving
 * thread, which the user runs (one selector over many peers, or a blocking loop for one); RTP is
 * authenticated and decrypted there and handed back.
 *
 * <p>Written from the RFCs and independent of the SFU's own DTLS and SRTP code, so that it is a
 * foreign peer to the SFU: the SFU bench drives thousands of them, the SFU's NACK test one.
 */
public final class SynthPeer implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  public final String name;
  final String ufrag;
  final String pwd;
  public final int ssrc;
  final SynthIdentity identity;
  final long sessionId;
  long sdpVersion = 1;
  public final boolean publisher;

  private final DatagramChannel channel;
  private final int localPort;
  private final byte[] localKey;
  private final long tieBreaker = RANDOM.nextLong();
  private final BlockingQueue<byte[]> dtlsIn = new LinkedBlockingQueue<>();

  private volatile InetSocketAddress remote;
  private volatile String remoteUfrag;
  private volatile String remoteFingerprint;
  private volatile byte[] remoteKey;
  private volatile boolean controlling;
  private volatile boolean iceOk;
  private volatile SrtpKeys keys;
  /** Receiving-thread state. */
  private final Buf rx = new Buf(2048);
  /** RTP packets authenticated and decrypted (written by the receiving thread only). */
  public volatile long rtpReceived;
  private volatile int stunIn;
  /** RTP packets refused: not authentic, a replay, or too many SSRCs (written by the receiving thread only). */
  public volatile long rtpRejected;

  private final String host;

  public SynthPeer(String name, boolean publisher, SynthIdentity identity) {
    this(name, publisher, identity, "127.0.0.1");
  }

  /** @param host local address to bind (Janus only gathers on non-loopback interface addresses) */
  public SynthPeer(String name, boolean publisher, SynthIdentity identity, String host) {
    this.host = host;
    this.name = name;
    this.publisher = publisher;
    this.identity = identity;
    this.ufrag = randomToken(8);
    this.pwd = randomToken(24);
    this.ssrc = RANDOM.nextInt();
    this.sessionId = RANDOM.nextLong() & Long.MAX_VALUE;
    this.localKey = StunIntegrity.shortTermKey(pwd);
    try {
      channel = DatagramChannel.open();
      channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
      channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 20);
      channel.bind(new InetSocketAddress(host, 0));
      channel.configureBlocking(false);
      localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String randomToken(int n) {
    String abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(abc.charAt(RANDOM.nextInt(abc.length())));
    }
    return sb.toString();
  }

  public int localPort() {
    return localPort;
  }

  public InetSocketAddress localAddress() {
    return new InetSocketAddress(host, localPort);
  }

  public String host() {
    return host;
  }

  public DatagramChannel channel() {
    return channel;
  }

  public InetSocketAddress remote() {
    return remote;
  }

  public SrtpKeys keys() {
    return keys;
  }

  public boolean secured() {
    return keys != null;
  }

  /** Learns the SFU's ICE parameters from its SDP (first time only). */
  public synchronized void setRemote(SynthSdp.Remote r, boolean controlling) {
    if (remoteUfrag != null) {
      return;
    }
    this.controlling = controlling;
    this.remoteKey = StunIntegrity.shortTermKey(r.pwd());
    this.remoteUfrag = r.ufrag();
    this.remoteFingerprint = r.fingerprint();
    this.remote = r.candidate();
  }

  public String remoteFingerprint() {
    return remoteFingerprint;
  }

  public boolean hasRemote() {
    return remoteUfrag != null;
  }

  /** Sends one connectivity check (also used as consent refresh) to the SFU's candidate. */
  public void sendCheck() {
    InetSocketAddress to = remote;
    byte[] key = remoteKey;
    if (to == null || key == null) {
      return;
    }
    StunMessage.Builder b = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, StunMessage.newTransactionId())
        .add(new StunAttribute.Username(remoteUfrag + ":" + ufrag))
        .add(new StunAttribute.Priority(1853824767L));
    if (controlling) {
      b.add(new StunAttribute.IceControlling(tieBreaker)).add(new StunAttribute.UseCandidate());
    } else {
      b.add(new StunAttribute.IceControlled(tieBreaker));
    }
    send(b.integrity(key).fingerprint().encode(), to);
  }

  private void send(byte[] data, InetSocketAddress to) {
    try {
      channel.send(ByteBuffer.wrap(data), to);
    } catch (IOException e) {
      // loopback send failures are counted as loss by the receiver side
    }
  }

  /** Waits for a successful check, then runs the DTLS client handshake and keys SRTP. */
  public void handshake(int srtpProfile, String serverFingerprint, Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!iceOk) {
      if (System.nanoTime() > end) {
        throw new IOException(name + ": ICE did not succeed within " + timeout + " (STUN messages in: " + stunIn
            + ", remote " + remote + ")");
      }
      sendCheck();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    DtlsSrtpClient client = new DtlsSrtpClient(new BcTlsCrypto(RANDOM), identity, serverFingerprint, srtpProfile);
    new DTLSClientProtocol().connect(client, new Transport());
    keys = new SrtpKeys(srtpProfile, client.keyingMaterial(), true);
  }

  /** Baseline without an SFU: keys shared out of band. */
  public void useKeys(SrtpKeys k) {
    keys = k;
  }

  /**
   * Receiving thread: one datagram. Answers STUN checks, queues DTLS records for the handshake, and
   * returns an RTP packet once authenticated and decrypted in place (valid until the next call), or
   * null for anything else (RTCP, media before keys, refused packets).
   */
  public Buf onDatagram(ByteBuffer bb, InetSocketAddress from) {
    int len = bb.remaining();
    if (len == 0) {
      return null;
    }
    int first = bb.get(0) & 0xFF;
    if (first >= 128 && first <= 191) {
      int second = len > 1 ? bb.get(1) & 0xFF : 0;
      SrtpKeys k = keys;
      if ((second >= 192 && second <= 223) || k == null || len < 12) {
        return null; // RTCP (SR/RR from the SFU) or media before keys
      }
      bb.get(rx.getBuffer(), 0, len);
      rx.set(0, len);
      try {
        if (!k.unprotect(rx)) {
          rtpRejected++;
          return null;
        }
      } catch (GeneralSecurityException e) {
        rtpRejected++;
        return null;
      }
      rtpReceived++;
      return rx;
    }
    byte[] data = new byte[len];
    bb.get(data);
    if (first <= 3) {
      onStun(data, from);
    } else if (first >= 20 && first <= 63) {
      dtlsIn.offer(data);
    }
    return null;
  }

  /** Offset of the payload in an RTP packet: after the CSRCs and the header extension (RFC 3550 §5.3.1). */
  public static int payloadOffset(Buf rtp) {
    byte[] b = rtp.getBuffer();
    int o = rtp.getOffset();
    int hl = 12 + 4 * (b[o] & 0x0F);
    if ((b[o] & 0x10) != 0 && rtp.getLength() >= hl + 4) {
      hl += 4 + 4 * (((b[o + hl + 2] & 0xFF) << 8) | (b[o + hl + 3] & 0xFF));
    }
    return hl;
  }

  private void onStun(byte[] data, InetSocketAddress from) {
    stunIn++;
    StunMessage m;
    try {
      m = StunMessage.decode(data, 0, data.length);
    } catch (StunParseException e) {
      return;
    }
    if (m.is(StunMethod.BINDING, StunClass.REQUEST)) {
      StunAttribute.Username u = m.get(StunAttribute.Username.class);
      if (u == null || !u.value().startsWith(ufrag + ":") || !StunIntegrity.verifyMessageIntegrity(m, localKey)) {
        send(m.responseBuilder(StunClass.ERROR_RESPONSE)
            .add(StunAttribute.ErrorCode.of(StunAttribute.ErrorCode.UNAUTHENTICATED)).fingerprint().encode(), from);
        return;
      }
      send(m.responseBuilder(StunClass.SUCCESS_RESPONSE).add(new StunAttribute.XorMappedAddress(from))
          .integrity(localKey).fingerprint().encode(), from);
      if (!controlling || remote == null) {
        // the controlling SFU picks the pair: follow its checks; a trickling SFU's first check
        // tells us its address (peer-reflexive to us, RFC 8445 §7.3.1.3)
        remote = from;
      }
    } else if (m.is(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)) {
      byte[] key = remoteKey;
      if (key != null && StunIntegrity.verifyMessageIntegrity(m, key)) {
        if (remote == null || controlling) {
          remote = from;
        }
        iceOk = true;
      }
    }
  }

  /** BouncyCastle's view of the socket during the handshake: DTLS records only. */
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
        throw new IOException("interrupted");
      }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
      InetSocketAddress to = remote;
      if (to != null) {
        SynthPeer.this.send(java.util.Arrays.copyOfRange(buf, off, off + len), to);
      }
    }

    @Override
    public void close() {}
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
