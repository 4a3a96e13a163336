package com.parchchat.sfu.support;

import com.parchchat.testkit.synth.Buf;
import com.parchchat.testkit.synth.DtlsSrtpClient;
import com.parchchat.testkit.synth.SrtpKeys;
import com.parchchat.testkit.synth.SynthIdentity;
import com.parchchat.testkit.synth.SynthPeer;
import com.parchchat.testkit.synth.SynthSdp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A receive-only WebRTC endpoint for tests that need to see the SFU's packets one by one: testkit's
 * {@link SynthPeer} (written from the RFCs, independent of the SFU's own DTLS and SRTP code) answers
 * the SFU's offer ({@code recvonly} for every remote track), nominates the SFU's candidate with ICE
 * checks (RFC 8445 §7.2.2, USE-CANDIDATE), runs a DTLS 1.2 client handshake with {@code use_srtp}
 * (AES_CM_128_HMAC_SHA1_80, the server certificate checked against the offer's fingerprint), then
 * decrypts every RTP packet (authentication and replay check). This class records each packet's
 * (SSRC, sequence number, timestamp), and on a sequence gap sends a generic NACK (RFC 4585 §6.2.1)
 * for the missing numbers — one NACK per gap, never repeated — so a test can check that exactly
 * those packets come back.
 */
public final class SyntheticSubscriber implements SdpPeer, AutoCloseable {
  private static final int PROFILE = DtlsSrtpClient.SRTP_AES128_CM_SHA1_80;
  private static final int RTCP_SSRC = 0x5EED0001;

  private final SynthPeer peer = new SynthPeer("synthetic-subscriber", false, SynthIdentity.generate(new SecureRandom()));
  private final Map<Long, Integer> highest = new ConcurrentHashMap<>();
  /** (SSRC, sequence) keys ({@link LossyUdpProxy#key}) of every packet decrypted, with its RTP timestamp. */
  private final Map<Long, Long> received = new ConcurrentHashMap<>();
  private final Set<Long> nacked = ConcurrentHashMap.newKeySet();
  /** NACKed keys that were decrypted after the NACK was sent. */
  private final Set<Long> recovered = ConcurrentHashMap.newKeySet();
  private final Buf nack = new Buf(16 + 64);
  private volatile boolean closed;
  private boolean started;

  public SyntheticSubscriber() throws IOException {
    peer.channel().configureBlocking(true);
    Thread reader = new Thread(this::readLoop, "synthetic-subscriber");
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
  public synchronized String answer(String offer, InetSocketAddress candidateOverride) {
    SynthSdp.Remote remote = SynthSdp.parse(offer);
    if (candidateOverride != null) {
      remote = remote.withCandidate(candidateOverride);
    } else if (remote.candidate() == null) {
      throw new IllegalArgumentException("offer has no host candidate");
    }
    peer.setRemote(remote, true);
    // the SFU's tracks are its sendonly sections; the one it receives on is our (unused) microphone
    String answer = SynthSdp.answer(peer, remote,
        s -> s.direction().equals("sendonly") || s.direction().equals("sendrecv") ? "recvonly" : "inactive", true);
    if (!started) {
      started = true;
      Thread t = new Thread(this::connect, "synthetic-subscriber-dtls");
      t.setDaemon(true);
      t.start();
    }
    return answer;
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
    return peer.secured();
  }

  /** ICE checks (then one a second, for consent), the DTLS client handshake and SRTP keys. */
  private void connect() {
    Thread consent = new Thread(() -> {
      while (!closed) {
        peer.sendCheck();
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "synthetic-subscriber-consent");
    consent.setDaemon(true);
    consent.start();
    try {
      peer.handshake(PROFILE, peer.remoteFingerprint(), Duration.ofSeconds(30));
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        throw new IllegalStateException("ICE or DTLS handshake with the SFU failed", e);
      }
    }
  }

  private void readLoop() {
    ByteBuffer bb = ByteBuffer.allocate(2048);
    while (!closed) {
      InetSocketAddress from;
      try {
        bb.clear();
        from = (InetSocketAddress) peer.channel().receive(bb);
      } catch (IOException e) {
        return;
      }
      bb.flip();
      Buf rtp = peer.onDatagram(bb, from);
      if (rtp != null) {
        onRtp(rtp);
      }
    }
  }

  private void onRtp(Buf rtp) {
    byte[] b = rtp.getBuffer();
    int o = rtp.getOffset();
    int seq = (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    long ts = Buf.int32(b, o + 4) & 0xFFFFFFFFL;
    long ssrc = Buf.int32(b, o + 8) & 0xFFFFFFFFL;
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
      sendNack(ssrc, lost);
    }
  }

  /** RFC 4585 §6.2.1: RTPFB (205), FMT 1, one FCI with PID and an empty BLP. */
  private void sendNack(long mediaSsrc, int pid) {
    byte[] plain = nack.getBuffer();
    Arrays.fill(plain, (byte) 0);
    plain[0] = (byte) 0x81;
    plain[1] = (byte) 205;
    plain[3] = 3;
    Buf.put32(plain, 4, RTCP_SSRC);
    Buf.put32(plain, 8, (int) mediaSsrc);
    plain[12] = (byte) (pid >>> 8);
    plain[13] = (byte) pid;
    nack.set(0, 16);
    try {
      SrtpKeys keys = peer.keys();
      int len = keys.protectRtcp(nack);
      peer.channel().send(ByteBuffer.wrap(nack.getBuffer(), nack.getOffset(), len), peer.remote());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("NACK not protected", e);
    } catch (IOException e) {
      if (!closed) {
        throw new UncheckedIOException("NACK not sent", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    peer.close();
  }
}
