package com.parchchat.client.ui.voice;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceInput;
import com.parchchat.client.voice.VoiceSession;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.signal.UserRef;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the voice panel lives in the main window: clicking a voice channel calls {@link #join}; the
 * dock joins through the host and shows a {@link VoicePanel} until the call ends. The voice engine is
 * started off the FX thread (it loads libwebrtc): ahead of the click by {@link #prestart}, else on first
 * use. Hidden while not in a call.
 * {@link #close()} must run at exit: libwebrtc's threads would keep the JVM alive.
 */
public final class VoiceDock extends VBox {
  private static final Logger log = LoggerFactory.getLogger(VoiceDock.class);

  private final ParchClient client;
  private final VoiceConfig config;
  private CompletableFuture<VoiceEngine> engine;
  /** Whether {@link #prestart} ran (it starts the engine once; a click after a failed start retries). */
  private boolean prestarted;
  private VoiceSession session;
  private VoicePanel panel;
  private final Label problem = new Label();
  private final javafx.beans.property.ReadOnlyObjectWrapper<VoiceChannelRoster.Speaking> speaking =
      new javafx.beans.property.ReadOnlyObjectWrapper<>(VoiceChannelRoster.Speaking.NOBODY);
  private VoiceVolumes volumes;
  /** The chosen microphone and speaker, saved across runs and chosen again on each engine start. */
  private VoiceDevices devices;

  public VoiceDock(ParchClient client) {
    this(client, VoiceConfig.desktop());
  }

  public VoiceDock(ParchClient client, VoiceConfig config) {
    this.client = client;
    this.config = config;
    setId("voice-dock");
    problem.setId("voice-problem");
    problem.getStyleClass().add("error");
    show(false);
  }

  /**
   * Who speaks in the call in progress (the SFU's speaker events and our own level), for the speaking
   * rings in the channel list; {@link VoiceChannelRoster.Speaking#NOBODY} when not in a call. FX thread.
   */
  public javafx.beans.property.ReadOnlyObjectProperty<VoiceChannelRoster.Speaking> speaking() {
    return speaking.getReadOnlyProperty();
  }

  private synchronized VoiceDevices devices() {
    if (devices == null) {
      devices = new VoiceDevices(client.config().configDir());
    }
    return devices;
  }

  private VoiceVolumes volumes() {
    if (volumes == null) {
      volumes = new VoiceVolumes(client.config().configDir());
    }
    return volumes;
  }

  private void show(boolean on) {
    setVisible(on);
    setManaged(on);
  }

  private synchronized CompletableFuture<VoiceEngine> engine() {
    if (engine == null || engine.isCompletedExceptionally()) {
      VoiceDevices saved = devices();
      engine = CompletableFuture.supplyAsync(() -> {
        VoiceEngine started = new VoiceEngine(config);
        saved.applyTo(started);
        return started;
      }, STARTER);
    }
    return engine;
  }

  /**
   * Starts the voice engine ahead of the first voice-channel click (off the FX thread, at most once), so
   * that click does not wait for libwebrtc's native start (extracting and loading the library, the
   * factory: 0.2-0.5 s on a quiet 2-core machine) nor for libwebrtc's first-call work
   * ({@link VoiceEngine#warmUp}). The main window calls it once a space with a voice channel is shown, as
   * Discord keeps its voice engine ready. An idle engine with the device module costs no CPU (libwebrtc
   * starts playout and capture only when a call's streams start; without a sound server the headless
   * fallback pulls playout every 10 ms, 0.6 % of a core). A failure here is not shown; the click tries
   * again and shows it.
   */
  public void prestart() {
    CompletableFuture<VoiceEngine> e;
    synchronized (this) {
      if (prestarted || engine != null) {
        return;
      }
      prestarted = true;
      // started, on the saved devices, and warmed up (VoiceEngine#warmUp: libwebrtc's first-call work) before
      // a click can use it
      VoiceDevices saved = devices();
      e = CompletableFuture.supplyAsync(() -> {
        VoiceEngine started = new VoiceEngine(config);
        saved.applyTo(started);
        started.warmUp(java.time.Duration.ofSeconds(3));
        return started;
      }, STARTER);
      engine = e;
    }
    e.whenComplete((x, err) -> {
      if (err != null) {
        log.info("voice: engine not pre-started: {}", err.toString());
      }
    });
  }

  /** The engine being started or running; null before {@link #prestart} or the first click (tests). */
  synchronized CompletableFuture<VoiceEngine> startedEngine() {
    return engine;
  }

  /** One daemon thread starts engines (the common pool may be busy or absent on small machines). */
  private static final java.util.concurrent.Executor STARTER = r -> {
    Thread t = new Thread(r, "voice-engine-start");
    t.setDaemon(true);
    t.start();
  };

  /** Joins {@code channel} on {@code host}, leaving any call in progress. FX thread. */
  public void join(HostSession host, Channel channel) {
    if (session != null && channel.id().equals(session.channelId())) {
      return;
    }
    leave();
    UserRef me = client.account().get() == null ? null : client.account().get().user();
    if (me == null) {
      return;
    }
    engine().whenComplete((eng, err) -> Platform.runLater(() -> {
      if (err != null) {
        failed("Voice is unavailable: " + ClientException.of(err).getMessage());
        return;
      }
      VoiceSession s = VoiceSession.overWebSocket(host, eng, client.http());
      VoicePanel p = new VoicePanel(VoiceControls.of(s, eng, volumes(), devices()), channel.name(), me.id(), me.displayName());
      p.setOnClosed(() -> Platform.runLater(() -> {
        if (panel == p) {
          leave();
        }
      }));
      if (getScene() != null) {
        p.installPushToTalk(getScene());
      }
      session = s;
      panel = p;
      getChildren().setAll(p);
      show(true);
      com.parchchat.client.voice.VoiceListener shown = p.listener();
      com.parchchat.client.voice.VoiceListener both = new com.parchchat.client.voice.VoiceListener() {
        @Override
        public void onStateChanged(com.parchchat.client.voice.VoiceCall.State st, String detail) {
          shown.onStateChanged(st, detail);
        }

        @Override
        public void onMembersChanged(java.util.List<com.parchchat.client.voice.VoiceMember> members) {
          shown.onMembersChanged(members);
        }

        @Override
        public void onSpeakingChanged(java.util.Set<String> userIds) {
          shown.onSpeakingChanged(userIds);
          Platform.runLater(() -> {
            if (panel == p) {
              speaking.set(new VoiceChannelRoster.Speaking(channel.id(), userIds));
            }
          });
        }

        @Override
        public void onQuality(com.parchchat.client.voice.CallQuality q) {
          shown.onQuality(q);
        }

        @Override
        public void onError(com.parchchat.protocol.sfu.SfuToClient.Error error) {
          shown.onError(error);
        }
      };
      s.join(channel.id(), VoiceInput.microphone(), both).whenComplete((call, e) -> {
        if (e != null) {
          Platform.runLater(() -> {
            if (panel == p) {
              leave();
              failed("Could not join " + channel.name() + ": " + ClientException.of(e).getMessage());
            }
          });
        }
      });
    }));
  }

  private void failed(String text) {
    log.warn("voice: {}", text);
    problem.setText(text);
    getChildren().setAll(problem);
    show(true);
  }

  /** Leaves the call in progress and hides the panel. FX thread. */
  public void leave() {
    speaking.set(VoiceChannelRoster.Speaking.NOBODY);
    if (session != null) {
      session.leave();
      session = null;
    }
    if (panel != null) {
      panel.dispose();
      panel = null;
    }
    getChildren().clear();
    show(false);
  }

  /** Leaves and releases the voice engine. */
  public void close() {
    leave();
    CompletableFuture<VoiceEngine> e;
    synchronized (this) {
      e = engine;
      engine = null;
    }
    if (e != null) {
      try {
        e.get(10, TimeUnit.SECONDS).close();
      } catch (ExecutionException | TimeoutException ex) {
        log.warn("voice: engine not closed: {}", ex.getMessage());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
