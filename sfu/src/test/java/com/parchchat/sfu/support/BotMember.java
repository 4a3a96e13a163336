package com.parchchat.sfu.support;

import com.parchchat.protocol.sfu.ClientToSfu;
import com.parchchat.protocol.sfu.SfuToClient;
import com.parchchat.testkit.webrtc.ToneBot;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebRTC peer joined to an SFU room. With {@code offerInJoin} it sends its own offer inside
 * {@code join}; otherwise the SFU offers first. Either way it answers every SFU renegotiation offer on
 * its own thread (never on the WebSocket or libwebrtc threads).
 */
public final class BotMember implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BotMember.class);

  private final ToneBot bot;
  private final SdpPeer peer;
  private final AutoCloseable closePeer;
  private final SignalClient signal;
  private final ExecutorService negotiator;
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final String userId;

  public BotMember(URI ws, String userId, String token, ToneBot bot) throws Exception {
    this(ws, userId, token, bot, asPeer(bot), bot, true);
  }

  public BotMember(URI ws, String userId, String token, ToneBot bot, boolean offerInJoin) throws Exception {
    this(ws, userId, token, bot, asPeer(bot), bot, offerInJoin);
  }

  public BotMember(URI ws, String userId, String token, SdpPeer peer, AutoCloseable closePeer, boolean offerInJoin)
      throws Exception {
    this(ws, userId, token, null, peer, closePeer, offerInJoin);
  }

  private static SdpPeer asPeer(ToneBot bot) {
    return new SdpPeer() {
      @Override
      public String createOffer() {
        return bot.createOffer();
      }

      @Override
      public String acceptOffer(String offerSdp) {
        return bot.acceptOffer(offerSdp);
      }

      @Override
      public void applyAnswer(String answerSdp) {
        bot.applyAnswer(answerSdp);
      }
    };
  }

  private BotMember(URI ws, String userId, String token, ToneBot bot, SdpPeer peer, AutoCloseable closePeer,
      boolean offerInJoin) throws Exception {
    this.userId = userId;
    this.bot = bot;
    this.peer = peer;
    this.closePeer = closePeer;
    this.negotiator = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "negotiate-" + userId);
      t.setDaemon(true);
      return t;
    });
    this.signal = new SignalClient(ws);
    signal.onFrame(f -> {
      if (f instanceof SfuToClient.Answer) {
        String sdp = ((SfuToClient.Answer) f).sdp();
        negotiator.execute(() -> guard(() -> peer.applyAnswer(sdp)));
      } else if (f instanceof SfuToClient.Offer) {
        SfuToClient.Offer o = (SfuToClient.Offer) f;
        negotiator.execute(() -> guard(() -> {
          String answer = peer.acceptOffer(o.sdp());
          signal.send(new ClientToSfu.Answer(answer, o.revision()));
          answered.incrementAndGet();
        }));
      }
    });
    String offer = null;
    if (offerInJoin) {
      java.util.concurrent.Callable<String> create = peer::createOffer;
      offer = negotiator.submit(create).get(30, TimeUnit.SECONDS);
    }
    signal.send(new ClientToSfu.Join(token, null, offer));
  }

  private void guard(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.error("{}: negotiation failed", userId, e);
      failure.compareAndSet(null, e);
    }
  }

  public ToneBot bot() {
    return bot;
  }

  public SignalClient signal() {
    return signal;
  }

  public String userId() {
    return userId;
  }

  public int answeredOffers() {
    return answered.get();
  }

  /** The first negotiation failure, or null. */
  public Throwable failure() {
    return failure.get();
  }

  public void leave() {
    signal.send(new ClientToSfu.Leave());
    signal.await(SfuToClient.Left.class, Duration.ofSeconds(5));
  }

  @Override
  public void close() {
    negotiator.shutdown();
    try {
      negotiator.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    signal.close();
    try {
      closePeer.close();
    } catch (Exception e) {
      log.warn("{}: closing the peer failed", userId, e);
    }
  }
}
