package com.parchchat.client.ui.voice;

import com.parchchat.client.voice.CallQuality;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceDeviceListener;
import com.parchchat.client.voice.VoiceException;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceMember;
import com.parchchat.protocol.sfu.SfuToClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.event.EventHandler;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The panel shown while in a voice channel: who is there (with speaking rings), connection state and
 * quality, mute, deafen, leave, microphone and speaker pickers, an input level meter and the
 * push-to-talk setting (a key of your choice, held while the app has focus).
 *
 * <p>It shows what a {@link VoiceCall} reports through {@link #listener()} (events may come from any
 * thread; the panel hops to the FX thread) and acts through {@link VoiceControls}. Node ids for tests
 * and styling: {@code voice-status}, {@code voice-quality}, {@code voice-mute}, {@code voice-deafen},
 * {@code voice-leave}, {@code voice-mic}, {@code voice-speaker}, {@code voice-device-problem},
 * {@code voice-level}, {@code voice-ptt}, {@code voice-ptt-key}, {@code voice-participants}.
 *
 * <p>A device choice is applied off the FX thread (on PulseAudio it asks the sound server to move our
 * streams, tens of ms); a choice that cannot be applied, or a chosen device that goes away mid-call, is
 * shown under the pickers while the call goes on with the default device.
 */
public final class VoicePanel extends VBox {

  private final VoiceControls controls;
  private final String selfUserId;
  private final String selfName;
  private final Label status = new Label("Connecting…");
  private final Label quality = new Label("");
  private final VoiceParticipantsView participants = new VoiceParticipantsView();
  private final ToggleButton mute = new ToggleButton("Mute");
  private final ToggleButton deafen = new ToggleButton("Deafen");
  private final Button leave = new Button("Leave");
  private final ComboBox<String> mic = new ComboBox<>();
  private final ComboBox<String> speaker = new ComboBox<>();
  private final Label deviceProblem = new Label();
  private final ProgressBar level = new ProgressBar(0);
  private final CheckBox ptt = new CheckBox("Push to talk");
  private final Button pttKey = new Button();
  private final Timeline meter;
  private KeyCode pushToTalkKey = KeyCode.BACK_QUOTE;
  private boolean choosingKey;
  private boolean over;
  private List<VoiceMember> members = List.of();
  private Set<String> speaking = Set.of();
  private VoiceCall.State state = VoiceCall.State.CONNECTING;
  private Runnable onClosed = () -> { };
  private Scene pttScene;
  private final EventHandler<KeyEvent> pttDown = this::keyDown;
  private final EventHandler<KeyEvent> pttUp = this::keyUp;

  public VoicePanel(VoiceControls controls, String channelName, String selfUserId, String selfName) {
    this.controls = controls;
    this.selfUserId = selfUserId;
    this.selfName = selfName;
    setId("voice-panel");
    getStyleClass().add("voice-panel");
    setSpacing(8);
    setPadding(new Insets(10));

    Label title = new Label("🔊 " + channelName);
    title.setId("voice-channel");
    title.setStyle("-fx-font-weight: bold;");
    status.setId("voice-status");
    quality.setId("voice-quality");
    HBox head = new HBox(8, title, status, quality);
    head.setAlignment(Pos.CENTER_LEFT);

    mute.setId("voice-mute");
    mute.setOnAction(e -> {
      controls.setMuted(mute.isSelected());
      refreshRows();
    });
    deafen.setId("voice-deafen");
    deafen.setOnAction(e -> {
      controls.setDeafened(deafen.isSelected());
      refreshRows();
    });
    leave.setId("voice-leave");
    leave.setOnAction(e -> {
      controls.leave();
      ended("Disconnected");
    });
    HBox buttons = new HBox(8, mute, deafen, leave);

    level.setId("voice-level");
    level.setPrefWidth(160);
    mic.setId("voice-mic");
    speaker.setId("voice-speaker");
    devices(mic, controls.microphones(), controls.chosenMicrophone(), controls::selectMicrophone);
    devices(speaker, controls.speakers(), controls.chosenSpeaker(), controls::selectSpeaker);
    deviceProblem.setId("voice-device-problem");
    deviceProblem.getStyleClass().add("error");
    deviceProblem.setWrapText(true);
    showDeviceProblem(null);
    controls.setDeviceListener(deviceListener());

    ptt.setId("voice-ptt");
    ptt.setOnAction(e -> controls.setPushToTalk(ptt.isSelected()));
    pttKey.setId("voice-ptt-key");
    pttKey.setText(pushToTalkKey.getName());
    pttKey.setOnAction(e -> {
      choosingKey = true;
      pttKey.setText("Press a key…");
    });

    GridPane settings = new GridPane();
    settings.setHgap(8);
    settings.setVgap(6);
    settings.addRow(0, new Label("Input level"), level);
    settings.addRow(1, new Label("Microphone"), mic);
    settings.addRow(2, new Label("Speaker"), speaker);
    settings.addRow(3, ptt, pttKey);
    settings.add(deviceProblem, 0, 4, 2, 1);

    participants.setVolumeControl(selfUserId, controls::userVolume, controls::setUserVolume);
    getChildren().addAll(head, participants, buttons, settings);
    refreshRows();

    meter = new Timeline(new KeyFrame(Duration.millis(100), e -> level.setProgress(
        state == VoiceCall.State.CONNECTED ? Math.min(1, controls.inputLevel() * 4) : 0)));
    meter.setCycleCount(Animation.INDEFINITE);
    meter.play();
  }

  /** Applies device choices one at a time, off the FX thread. */
  private static final Executor DEVICE_SWITCHER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "voice-device-switch");
    t.setDaemon(true);
    return t;
  });

  private void devices(ComboBox<String> box, List<String> names, String chosen, Consumer<String> select) {
    box.getItems().setAll(names);
    if (names.isEmpty()) {
      box.setPromptText("No devices (headless)");
      box.setDisable(true);
      return;
    }
    if (chosen != null && names.contains(chosen)) {
      box.getSelectionModel().select(chosen); // the engine keeps a choice from an earlier call
    } else {
      box.getSelectionModel().selectFirst();
    }
    box.setOnAction(e -> {
      String name = box.getValue();
      if (name != null) {
        CompletableFuture.runAsync(() -> select.accept(name), DEVICE_SWITCHER).whenComplete((x, err) ->
            fx(() -> showDeviceProblem(err == null ? null : "Cannot use " + name + ": " + reason(err)
                + " The default device is used.")));
      }
    });
  }

  private static String reason(Throwable err) {
    Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    String m = c instanceof VoiceException ? c.getMessage() : c.toString();
    return m == null || m.isBlank() ? c.getClass().getSimpleName() + "." : m.endsWith(".") ? m : m + ".";
  }

  private void showDeviceProblem(String text) {
    deviceProblem.setText(text == null ? "" : text);
    deviceProblem.setVisible(text != null);
    deviceProblem.setManaged(text != null);
  }

  /** Shows a chosen device going away (the call falls back to the default) and coming back. */
  private VoiceDeviceListener deviceListener() {
    return new VoiceDeviceListener() {
      @Override
      public void onFallbackToDefault(Kind kind, String device, com.parchchat.client.voice.VoiceDeviceException why) {
        fx(() -> showDeviceProblem(label(kind) + " " + device + " is gone; the default "
            + label(kind).toLowerCase(Locale.ROOT) + " is used until it is back."));
      }

      @Override
      public void onRestored(Kind kind, String device) {
        fx(() -> showDeviceProblem(null));
      }
    };
  }

  private static String label(VoiceDeviceListener.Kind kind) {
    return kind == VoiceDeviceListener.Kind.MICROPHONE ? "Microphone" : "Speaker";
  }

  /** Listens to a call; events are applied on the FX thread. */
  public VoiceListener listener() {
    return new VoiceListener() {
      @Override
      public void onStateChanged(VoiceCall.State s, String detail) {
        fx(() -> showState(s, detail));
      }

      @Override
      public void onMembersChanged(List<VoiceMember> m) {
        fx(() -> {
          members = List.copyOf(m);
          refreshRows();
        });
      }

      @Override
      public void onSpeakingChanged(Set<String> userIds) {
        fx(() -> {
          speaking = Set.copyOf(userIds);
          participants.setSpeaking(speaking);
        });
      }

      @Override
      public void onQuality(CallQuality q) {
        fx(() -> showQuality(q));
      }

      @Override
      public void onError(SfuToClient.Error error) {
        fx(() -> status.setText("Error: " + error.message()));
      }
    };
  }

  private static void fx(Runnable r) {
    if (Platform.isFxApplicationThread()) {
      r.run();
    } else {
      Platform.runLater(r);
    }
  }

  private void showState(VoiceCall.State s, String detail) {
    state = s;
    switch (s) {
      case CONNECTING -> status.setText("Connecting…");
      case CONNECTED -> status.setText("Voice connected");
      case RECONNECTING -> status.setText("Reconnecting…");
      case LEFT -> ended("Disconnected");
      case FAILED -> ended("Failed: " + detail);
      default -> status.setText(s.name());
    }
  }

  private void ended(String text) {
    if (over) {
      return;
    }
    over = true;
    state = VoiceCall.State.LEFT;
    status.setText(text);
    mute.setDisable(true);
    deafen.setDisable(true);
    leave.setDisable(true);
    ptt.setDisable(true);
    meter.stop();
    level.setProgress(0);
    members = List.of();
    refreshRows();
    onClosed.run();
  }

  private void showQuality(CallQuality q) {
    quality.getStyleClass().removeIf(c -> c.startsWith("quality-"));
    quality.getStyleClass().add("quality-" + q.grade().name().toLowerCase(Locale.ROOT));
    if (q.roundTripMillis() < 0) {
      quality.setText("");
      return;
    }
    quality.setText(String.format(Locale.ROOT, "%s · %.0f ms · %.0f%% loss%s", q.grade(), q.roundTripMillis(),
        q.lossFraction() * 100, q.localCandidate() == null ? "" : " · " + q.localCandidate()));
  }

  private void refreshRows() {
    List<VoiceParticipantsView.Row> rows = new ArrayList<>();
    if (state != VoiceCall.State.LEFT) {
      rows.add(new VoiceParticipantsView.Row(selfUserId, selfName, mute.isSelected() || deafen.isSelected()));
      for (VoiceMember m : members) {
        rows.add(new VoiceParticipantsView.Row(m.userId(), m.name(), m.muted()));
      }
    }
    participants.setRows(rows);
    participants.setSpeaking(speaking);
  }

  /** Called once when the call has ended (left, kicked, failed), e.g. to remove the panel. */
  public void setOnClosed(Runnable r) {
    this.onClosed = r == null ? () -> { } : r;
  }

  /**
   * Listens for the push-to-talk key on {@code scene} (so it works while the app has focus, whichever
   * control has it). Key presses also complete choosing a new key.
   */
  public void installPushToTalk(Scene scene) {
    uninstallPushToTalk();
    pttScene = scene;
    scene.addEventFilter(KeyEvent.KEY_PRESSED, pttDown);
    scene.addEventFilter(KeyEvent.KEY_RELEASED, pttUp);
  }

  public void uninstallPushToTalk() {
    if (pttScene != null) {
      pttScene.removeEventFilter(KeyEvent.KEY_PRESSED, pttDown);
      pttScene.removeEventFilter(KeyEvent.KEY_RELEASED, pttUp);
      pttScene = null;
    }
  }

  private void keyDown(KeyEvent e) {
    if (choosingKey) {
      choosingKey = false;
      pushToTalkKey = e.getCode();
      pttKey.setText(pushToTalkKey.getName());
      e.consume();
      return;
    }
    if (ptt.isSelected() && e.getCode() == pushToTalkKey) {
      controls.setPushToTalkPressed(true);
      e.consume();
    }
  }

  private void keyUp(KeyEvent e) {
    if (ptt.isSelected() && e.getCode() == pushToTalkKey) {
      controls.setPushToTalkPressed(false);
      e.consume();
    }
  }

  public KeyCode pushToTalkKey() {
    return pushToTalkKey;
  }

  public VoiceParticipantsView participants() {
    return participants;
  }

  /** Stops the level meter and key listeners. */
  public void dispose() {
    meter.stop();
    uninstallPushToTalk();
  }
}
