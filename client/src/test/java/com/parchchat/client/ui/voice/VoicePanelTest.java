package com.parchchat.client.ui.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.voice.CallQuality;
import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceDeviceException;
import com.parchchat.client.voice.VoiceDeviceListener;
import com.parchchat.client.voice.VoiceListener;
import com.parchchat.client.voice.VoiceMember;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.input.KeyCode;
import javafx.scene.shape.Circle;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The voice panel follows a call's reported state (connection, members, speakers, quality, ended) and
 * turns clicks and the push-to-talk key into calls on its controls. Events are delivered from a
 * non-FX thread, as a {@link VoiceCall} delivers them.
 */
@ExtendWith(ApplicationExtension.class)
class VoicePanelTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** Records what the panel asked for. */
  static class Recorded implements VoiceControls {
    final List<String> actions = new CopyOnWriteArrayList<>();
    volatile double level = 0.2;

    @Override public void setMuted(boolean muted) { actions.add("mute " + muted); }
    @Override public void setDeafened(boolean deafened) { actions.add("deafen " + deafened); }
    @Override public void setPushToTalk(boolean enabled) { actions.add("ptt " + enabled); }
    @Override public void setPushToTalkPressed(boolean pressed) { actions.add("key " + pressed); }
    @Override public void leave() { actions.add("leave"); }
    @Override public double inputLevel() { return level; }
    @Override public List<String> microphones() { return List.of("Built-in Mic", "USB Headset"); }
    @Override public List<String> speakers() { return List.of(); }
    volatile RuntimeException failWith;
    volatile String chosenMic;
    volatile VoiceDeviceListener deviceListener;

    @Override public void selectMicrophone(String name) {
      RuntimeException e = failWith;
      if (e != null) {
        throw e;
      }
      actions.add("mic " + name);
    }
    @Override public void selectSpeaker(String name) { actions.add("speaker " + name); }
    @Override public String chosenMicrophone() { return chosenMic; }
    @Override public void setDeviceListener(VoiceDeviceListener l) { deviceListener = l; }
  }

  private final Recorded controls = new Recorded();
  private final AtomicInteger closed = new AtomicInteger();
  private VoicePanel panel;
  private VoiceListener events;

  @Start
  void start(Stage stage) {
    panel = new VoicePanel(controls, "Lounge", "u-alice", "Alice");
    panel.setOnClosed(closed::incrementAndGet);
    events = panel.listener();
    Scene scene = new Scene(panel, 520, 420);
    panel.installPushToTalk(scene);
    stage.setScene(scene);
    stage.show();
  }

  private void fromCallThread(Runnable r) throws InterruptedException {
    Thread t = new Thread(r, "voice-call-test");
    t.start();
    t.join();
  }

  private static String text(FxRobot robot, String query) {
    return robot.lookup(query).queryAs(Label.class).getText();
  }

  private static boolean ringLit(FxRobot robot, String userId) {
    Node row = robot.lookup("#voice-member-" + userId).query();
    Circle ring = (Circle) row.lookup(".voice-ring");
    return ring.getStyleClass().contains("speaking");
  }

  @Test
  void showsTheCallAndActsOnIt(FxRobot robot) throws Exception {
    assertThat(text(robot, "#voice-status")).isEqualTo("Connecting…");
    assertThat(robot.lookup("#voice-member-u-alice").tryQuery()).isPresent();

    fromCallThread(() -> {
      events.onStateChanged(VoiceCall.State.CONNECTED, "");
      events.onMembersChanged(List.of(new VoiceMember("u-bob", "Bob", true, false, "s-bob", true, 1),
          new VoiceMember("u-carol", "Carol", true, true, "s-carol", true, 1)));
      events.onSpeakingChanged(Set.of("u-bob"));
      events.onQuality(new CallQuality(23, 0.0, 4, 500, "relay"));
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(text(robot, "#voice-status")).isEqualTo("Voice connected");
      assertThat(robot.lookup("#voice-member-u-carol").queryAs(javafx.scene.layout.HBox.class)
          .getChildren().get(1)).extracting(n -> ((Label) n).getText()).isEqualTo("Carol  (muted)");
      assertThat(ringLit(robot, "u-bob")).isTrue();
      assertThat(ringLit(robot, "u-alice")).isFalse();
      assertThat(text(robot, "#voice-quality")).isEqualTo("GOOD · 23 ms · 0% loss · relay");
      // the input level meter follows the local level while connected
      assertThat(robot.lookup("#voice-level").queryAs(ProgressBar.class).getProgress()).isGreaterThan(0.5);
    });
    fromCallThread(() -> events.onSpeakingChanged(Set.of("u-alice")));
    await().atMost(WAIT).until(() -> ringLit(robot, "u-alice") && !ringLit(robot, "u-bob"));

    // devices: microphones listed and selectable, no speakers in this (headless) engine
    ComboBox<?> mic = robot.lookup("#voice-mic").queryAs(ComboBox.class);
    assertThat(mic.getItems()).hasSize(2);
    assertThat(robot.lookup("#voice-speaker").queryAs(ComboBox.class).isDisabled()).isTrue();
    robot.interact(() -> mic.getSelectionModel().select(1));
    await().atMost(WAIT).until(() -> controls.actions.contains("mic USB Headset")); // applied off the FX thread

    // mute and deafen go to the call, and our own row shows it
    robot.clickOn("#voice-mute");
    assertThat(controls.actions).contains("mute true");
    await().atMost(WAIT).untilAsserted(() -> assertThat(robot.lookup("#voice-member-u-alice")
        .queryAs(javafx.scene.layout.HBox.class).getChildren().get(1)).extracting(n -> ((Label) n).getText())
        .isEqualTo("Alice  (muted)"));
    robot.clickOn("#voice-mute");
    robot.clickOn("#voice-deafen");
    assertThat(controls.actions).containsSubsequence("mute true", "mute false", "deafen true");

    // push-to-talk: enable, choose a key, hold it
    robot.clickOn("#voice-ptt");
    robot.clickOn("#voice-ptt-key");
    robot.type(KeyCode.F8);
    assertThat(panel.pushToTalkKey()).isEqualTo(KeyCode.F8);
    robot.press(KeyCode.F8);
    robot.release(KeyCode.F8);
    assertThat(controls.actions).containsSubsequence("ptt true", "key true", "key false");

    // the SFU/host ends the call (kicked, channel deleted): controls go inert, the owner is told once
    fromCallThread(() -> events.onStateChanged(VoiceCall.State.LEFT, "kicked"));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(text(robot, "#voice-status")).isEqualTo("Disconnected");
      assertThat(robot.lookup("#voice-leave").queryButton().isDisabled()).isTrue();
      assertThat(robot.lookup(".voice-participant").queryAll()).isEmpty();
    });
    assertThat(closed.get()).isEqualTo(1);
    robot.interact(panel::dispose);
  }

  @Test
  void leaveButtonLeavesOnce(FxRobot robot) {
    robot.clickOn("#voice-leave");
    assertThat(controls.actions).containsExactly("leave");
    assertThat(text(robot, "#voice-status")).isEqualTo("Disconnected");
    robot.interact(() -> events.onStateChanged(VoiceCall.State.LEFT, "leave"));
    assertThat(closed.get()).isEqualTo(1);
    robot.interact(panel::dispose);
  }

  /**
   * A device choice that cannot be applied is shown under the pickers (the call goes on with the default)
   * and cleared by a choice that works; the engine's report of a chosen device going away and coming back
   * (from its own thread) is shown and cleared; the next call's panel shows the engine's earlier choice.
   */
  @Test
  void deviceProblemsAreShownAndAnEarlierChoiceIsKept(FxRobot robot) throws Exception {
    ComboBox<?> mic = robot.lookup("#voice-mic").queryAs(ComboBox.class);
    Label problem = robot.lookup("#voice-device-problem").queryAs(Label.class);
    assertThat(problem.isVisible()).isFalse();

    controls.failWith = new VoiceDeviceException(VoiceDeviceException.Reason.DEVICE_GONE, "USB Headset is not connected");
    robot.interact(() -> mic.getSelectionModel().select(1));
    await().atMost(WAIT).untilAsserted(() -> assertThat(problem.getText())
        .isEqualTo("Cannot use USB Headset: USB Headset is not connected. The default device is used."));
    assertThat(problem.isVisible()).isTrue();
    assertThat(controls.actions).doesNotContain("mic USB Headset");

    controls.failWith = null;
    robot.interact(() -> mic.getSelectionModel().select(0));
    await().atMost(WAIT).until(() -> !problem.isVisible());
    assertThat(controls.actions).contains("mic Built-in Mic");

    VoiceDeviceListener engineSide = controls.deviceListener;
    assertThat(engineSide).as("the panel listens for devices going away").isNotNull();
    fromCallThread(() -> engineSide.onFallbackToDefault(VoiceDeviceListener.Kind.MICROPHONE, "USB Headset",
        new VoiceDeviceException(VoiceDeviceException.Reason.DEVICE_GONE, "unplugged")));
    await().atMost(WAIT).untilAsserted(() -> assertThat(problem.getText())
        .isEqualTo("Microphone USB Headset is gone; the default microphone is used until it is back."));
    fromCallThread(() -> engineSide.onRestored(VoiceDeviceListener.Kind.MICROPHONE, "USB Headset"));
    await().atMost(WAIT).until(() -> !problem.isVisible());

    controls.chosenMic = "USB Headset";
    AtomicReference<VoicePanel> next = new AtomicReference<>();
    robot.interact(() -> next.set(new VoicePanel(controls, "Lounge", "u-alice", "Alice")));
    assertThat(((ComboBox<?>) next.get().lookup("#voice-mic")).getValue()).isEqualTo("USB Headset");
    robot.interact(next.get()::dispose);
  }
}
