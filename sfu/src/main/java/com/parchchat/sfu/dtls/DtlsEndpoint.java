package com.parchchat.sfu.dtls;

import com.parchchat.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS association of one participant. The blocking BouncyCastle handshake runs on the given
 * executor (never on an event loop); afterwards the same thread keeps reading so that retransmitted
 * client flights and close_notify are handled, until {@link #close()}.
 */
public final class DtlsEndpoint {
  private static final Logger log = LoggerFactory.getLogger(DtlsEndpoint.class);

  /** Receives the outcome of the handshake. */
  public interface Listener {
    void onSrtpReady(SrtpProfile profile, byte[] keyingMaterial);

    void onDtlsFailed(String reason);

    void onDtlsClosed();
  }

  private final QueueDatagramTransport transport;
  private final CompletableFuture<Fingerprint> remoteFingerprint = new CompletableFuture<>();
  private final DtlsIdentity identity;
  private final List<SrtpProfile> preferences;
  private final Listener listener;
  private final String name;
  private volatile DTLSTransport dtls;
  private volatile boolean started;
  private volatile boolean closed;

  public DtlsEndpoint(String name, DtlsIdentity identity, List<SrtpProfile> preferences, Consumer<byte[]> sender,
      Listener listener) {
    this.name = name;
    this.identity = identity;
    this.preferences = List.copyOf(preferences);
    this.listener = listener;
    this.transport = new QueueDatagramTransport(sender);
  }

  /** The fingerprint from the peer's SDP; the handshake waits for it before accepting a certificate. */
  public void setRemoteFingerprint(Fingerprint fingerprint) {
    remoteFingerprint.complete(fingerprint);
  }

  /** Hands a DTLS record from the media thread; starts the handshake on the first one. */
  public void receive(byte[] datagram, Executor executor) {
    if (closed) {
      return;
    }
    transport.offer(datagram);
    if (!started) {
      synchronized (this) {
        if (started) {
          return;
        }
        started = true;
      }
      executor.execute(this::run);
    }
  }

  private void run() {
    DtlsSrtpServer server = new DtlsSrtpServer(new BcTlsCrypto(new SecureRandom()), identity, preferences, this::checkCertificate);
    DTLSServerProtocol protocol = new DTLSServerProtocol();
    protocol.setVerifyRequests(false); // the ICE check already proved the address
    try {
      dtls = protocol.accept(server, transport);
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.info("DTLS handshake with {} failed: {}", name, e.toString());
        listener.onDtlsFailed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      }
      transport.close();
      return;
    }
    log.debug("DTLS with {} established, profile {}", name, server.chosenProfile());
    listener.onSrtpReady(server.chosenProfile(), server.keyingMaterial());
    byte[] buf = new byte[2048];
    try {
      while (!closed) {
        int n = dtls.receive(buf, 0, buf.length, 1000);
        if (n < 0 && closed) {
          break;
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.debug("DTLS with {} ended: {}", name, e.toString());
        listener.onDtlsClosed();
      }
    }
  }

  private boolean checkCertificate(byte[] der) throws IOException {
    try {
      return remoteFingerprint.get(10, TimeUnit.SECONDS).matches(der);
    } catch (TimeoutException e) {
      throw new IOException("no remote fingerprint from signalling in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  public void close() {
    closed = true;
    remoteFingerprint.completeExceptionally(new IOException("closed"));
    DTLSTransport t = dtls;
    if (t != null) {
      try {
        t.close();
      } catch (IOException e) {
        log.debug("closing DTLS with {}: {}", name, e.toString());
      }
    }
    transport.close();
  }
}
