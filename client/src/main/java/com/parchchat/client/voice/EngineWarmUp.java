package com.parchchat.client.voice;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * libwebrtc's once-per-process work of a first call, done ahead of it ({@link VoiceEngine#warmUp}): an
 * offer with an audio track is made and set on a throw-away connection (codecs, certificate, the network
 * and port-allocator threads, ICE gathering), and two throw-away connections in this engine connect to
 * each other with a data channel only (ICE checks, the DTLS handshake, SCTP). No audio is negotiated
 * between them, so no send or receive stream starts: the device module neither captures nor plays.
 * Everything stays on this machine's own interfaces.
 */
final class EngineWarmUp {
  private final PeerConnectionFactory factory;
  private final VoiceConfig config;
  private final long timeoutMillis;

  EngineWarmUp(PeerConnectionFactory factory, VoiceConfig config, Duration timeout) {
    this.factory = factory;
    this.config = config;
    this.timeoutMillis = Math.max(1, timeout.toMillis());
  }

  /** Runs both steps; every connection made is closed before it returns or throws. */
  void run() throws Exception {
    RTCPeerConnection audio = factory.createPeerConnection(new RTCConfiguration(), candidate -> { });
    try {
      AudioOptions options = new AudioOptions();
      options.echoCancellation = config.echoCancellation();
      options.noiseSuppression = config.noiseSuppression();
      options.autoGainControl = config.gainControl();
      options.highpassFilter = config.highPassFilter();
      // the track is never disposed: a closed connection's sender still holds it (webrtc-java then throws
      // "Native object was not deleted"), as for a call's track (VoiceCall); a few kB once per process
      audio.addTrack(factory.createAudioTrack("warm-up", factory.createAudioSource(options)), List.of("warm-up"));
      setLocal(audio, offer(audio));
    } finally {
      audio.close();
    }
    CompletableFuture<Void> connected = new CompletableFuture<>();
    RTCPeerConnection[] pair = new RTCPeerConnection[2];
    try {
      pair[0] = factory.createPeerConnection(new RTCConfiguration(), observer(c -> pair[1].addIceCandidate(c), connected));
      pair[1] = factory.createPeerConnection(new RTCConfiguration(), observer(c -> pair[0].addIceCandidate(c), null));
      pair[0].createDataChannel("warm-up", new RTCDataChannelInit());
      RTCSessionDescription o = offer(pair[0]);
      setLocal(pair[0], o);
      setRemote(pair[1], o);
      CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
      pair[1].createAnswer(new RTCAnswerOptions(), describe(answer));
      RTCSessionDescription a = answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
      setLocal(pair[1], a);
      setRemote(pair[0], a);
      connected.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } finally {
      for (RTCPeerConnection pc : pair) {
        if (pc != null) {
          pc.close();
        }
      }
    }
  }

  private static PeerConnectionObserver observer(Consumer<RTCIceCandidate> toOther, CompletableFuture<Void> connected) {
    return new PeerConnectionObserver() {
      @Override
      public void onIceCandidate(RTCIceCandidate candidate) {
        try {
          toOther.accept(candidate);
        } catch (RuntimeException e) {
          // the other side is not created yet or already closed: the warm-up then just times out
        }
      }

      @Override
      public void onConnectionChange(RTCPeerConnectionState state) {
        if (connected != null && state == RTCPeerConnectionState.CONNECTED) {
          connected.complete(null);
        }
      }
    };
  }

  private RTCSessionDescription offer(RTCPeerConnection pc) throws Exception {
    CompletableFuture<RTCSessionDescription> f = new CompletableFuture<>();
    pc.createOffer(new RTCOfferOptions(), describe(f));
    return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void setLocal(RTCPeerConnection pc, RTCSessionDescription d) throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    pc.setLocalDescription(d, set(f));
    f.get(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void setRemote(RTCPeerConnection pc, RTCSessionDescription d) throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    pc.setRemoteDescription(d, set(f));
    f.get(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private static CreateSessionDescriptionObserver describe(CompletableFuture<RTCSessionDescription> f) {
    return new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription d) {
        f.complete(d);
      }

      @Override
      public void onFailure(String error) {
        f.completeExceptionally(new VoiceException("warm-up: " + error));
      }
    };
  }

  private static SetSessionDescriptionObserver set(CompletableFuture<Void> f) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        f.complete(null);
      }

      @Override
      public void onFailure(String error) {
        f.completeExceptionally(new VoiceException("warm-up: " + error));
      }
    };
  }
}
