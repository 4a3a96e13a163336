package com.parchchat.sfu;

import com.parchchat.sfu.config.SfuConfig;
import com.parchchat.sfu.dtls.DtlsIdentity;
import com.parchchat.sfu.ice.MediaServer;
import com.parchchat.sfu.room.RoomManager;
import com.parchchat.sfu.room.RoomServices;
import com.parchchat.sfu.signal.SignalServer;
import com.parchchat.sfu.signal.TokenVerifier;
import com.parchchat.sfu.srtp.SrtpSession;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole SFU in one object: media socket, rooms, signalling. Used by {@link SfuMain} and tests. */
public final class SfuServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SfuServer.class);

  private final SfuConfig config;
  private final MediaServer media;
  private final SignalServer signal = new SignalServer();
  private final ExecutorService dtlsExecutor;
  private RoomManager rooms;
  private InetSocketAddress signalAddress;
  private InetSocketAddress mediaAddress;

  public SfuServer(SfuConfig config) {
    this.config = config;
    this.media = new MediaServer(config.sendThreads());
    AtomicInteger n = new AtomicInteger();
    this.dtlsExecutor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sfu-dtls-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public SfuServer start() throws InterruptedException {
    long t0 = System.nanoTime();
    SrtpSession.warmUp();
    DtlsIdentity identity = DtlsIdentity.generate(new SecureRandom());
    mediaAddress = media.start(config.mediaHost(), config.mediaPort());
    List<InetSocketAddress> candidates = new ArrayList<>();
    if (config.advertisedAddresses().isEmpty()) {
      candidates.add(mediaAddress);
    } else {
      for (String a : config.advertisedAddresses()) {
        candidates.add(new InetSocketAddress(a, mediaAddress.getPort()));
      }
    }
    RoomServices services = new RoomServices(media, identity, dtlsExecutor, candidates, config.srtpProfiles());
    rooms = new RoomManager(services, config.roomCapacity(), config.maxRooms(), config.loudestN(),
        config.speakerIntervalMillis(), config.consentTimeoutSeconds());
    signalAddress = signal.start(config.signalHost(), config.signalPort(),
        new TokenVerifier(config.tokenSecret(), Clock.systemUTC()), rooms, config.adminSecret(), config.maxFrameBytes());
    log.info("SFU ready in {} ms: signalling ws://{}:{}{}, media udp {} (candidates {}), {}",
        (System.nanoTime() - t0) / 1_000_000, signalAddress.getHostString(), signalAddress.getPort(),
        SignalServer.WS_PATH, mediaAddress, candidates, config);
    return this;
  }

  public InetSocketAddress signalAddress() {
    return signalAddress;
  }

  public InetSocketAddress mediaAddress() {
    return mediaAddress;
  }

  public RoomManager rooms() {
    return rooms;
  }

  public MediaServer media() {
    return media;
  }

  @Override
  public void close() {
    signal.close();
    if (rooms != null) {
      rooms.close();
    }
    media.close();
    dtlsExecutor.shutdownNow();
  }
}
