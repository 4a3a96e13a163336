package com.parchchat.client.ui.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.protocol.api.VoiceParticipant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The people under a voice channel in the channel list: rows from the host's voice state with muted and
 * deafened icons, rings lit by the call's speaking state (only for the channel the call is in, never
 * for a muted member), following the speaking state in place. Also the per-user volume: the slider in
 * a participant's context menu in the voice panel sets the volume and the choice is saved per user id.
 */
@ExtendWith(ApplicationExtension.class)
class VoiceChannelRosterTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final SimpleObjectProperty<VoiceChannelRoster.Speaking> speaking =
      new SimpleObjectProperty<>(VoiceChannelRoster.Speaking.NOBODY);
  private VoiceChannelRoster lounge;
  private VoiceChannelRoster studio;
  private final VoicePanelTest.Recorded controls = new VoicePanelTest.Recorded() {
    final java.util.Map<String, Double> volumes = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void setUserVolume(String userId, double volume) {
      volumes.put(userId, volume);
      actions.add("volume " + userId + " " + Math.round(volume * 100));
    }

    @Override
    public double userVolume(String userId) {
      return volumes.getOrDefault(userId, 1.0);
    }
  };
  private VoicePanel panel;

  @Start
  void start(Stage stage) {
    lounge = new VoiceChannelRoster(new Label("Lounge"), "ch-lounge", List.of(
        new VoiceParticipant("u-alice", "Alice", false, false),
        new VoiceParticipant("u-bob", "Bob", true, false),
        new VoiceParticipant("u-carol", "Carol", true, true)), speaking);
    studio = new VoiceChannelRoster(new Label("Studio"), "ch-studio", List.of(
        new VoiceParticipant("u-dave", "Dave", false, false)), speaking);
    panel = new VoicePanel(controls, "Lounge", "u-alice", "Alice");
    stage.setScene(new Scene(new VBox(8, lounge, studio, panel), 520, 640));
    stage.show();
  }

  private static boolean lit(FxRobot robot, String userId) {
    Node row = robot.lookup("#roster-" + userId).query();
    return row.lookup(".voice-ring").getStyleClass().contains("speaking");
  }

  @Test
  void participantsShowTheirStateAndSpeakingLightsTheirRing(FxRobot robot) {
    Node bob = robot.lookup("#roster-u-bob").query();
    Node carol = robot.lookup("#roster-u-carol").query();
    Node alice = robot.lookup("#roster-u-alice").query();
    assertThat(bob.lookup(".voice-muted-icon")).isNotNull();
    assertThat(bob.lookup(".voice-deafened-icon")).isNull();
    assertThat(carol.lookup(".voice-muted-icon")).isNotNull();
    assertThat(carol.lookup(".voice-deafened-icon")).isNotNull();
    assertThat(alice.lookup(".voice-muted-icon")).isNull();
    assertThat(lounge.lit()).isEmpty();

    // the call in the lounge reports alice and dave speaking (dave is in another channel: not lit)
    robot.interact(() -> speaking.set(new VoiceChannelRoster.Speaking("ch-lounge", Set.of("u-alice", "u-dave"))));
    await().atMost(WAIT).until(() -> lit(robot, "u-alice"));
    assertThat(lit(robot, "u-dave")).isFalse();
    assertThat(lounge.lit()).containsExactly("u-alice");

    // a muted member's ring never lights, even if a stale speaker event names him
    robot.interact(() -> speaking.set(new VoiceChannelRoster.Speaking("ch-lounge", Set.of("u-bob"))));
    await().atMost(WAIT).until(() -> !lit(robot, "u-alice"));
    assertThat(lit(robot, "u-bob")).isFalse();

    // leaving the call turns every ring off
    robot.interact(() -> speaking.set(new VoiceChannelRoster.Speaking("ch-lounge", Set.of("u-alice"))));
    await().atMost(WAIT).until(() -> lit(robot, "u-alice"));
    robot.interact(() -> speaking.set(VoiceChannelRoster.Speaking.NOBODY));
    await().atMost(WAIT).until(() -> lounge.lit().isEmpty());
  }

  @Test
  void aParticipantsVolumeIsSetFromTheContextMenu(FxRobot robot) {
    robot.interact(() -> panel.listener().onMembersChanged(List.of(
        new com.parchchat.client.voice.VoiceMember("u-bob", "Bob", true, false, "s-bob", true, 1))));
    // our own row has no volume menu; bob's does
    robot.rightClickOn("#voice-member-u-bob");
    Slider slider = robot.lookup("#voice-volume-u-bob").queryAs(Slider.class);
    assertThat(slider.getValue()).isEqualTo(100.0);
    assertThat(slider.getMax()).isEqualTo(200.0);
    robot.interact(() -> {
      slider.setValueChanging(true);
      slider.setValue(50);
      slider.setValueChanging(false);
    });
    assertThat(controls.actions).contains("volume u-bob 50");
    robot.type(javafx.scene.input.KeyCode.ESCAPE);
    await().atMost(WAIT).untilAsserted(() -> assertThat(robot.lookup("#voice-member-u-bob .voice-volume-badge")
        .queryAs(Label.class).getText()).isEqualTo("50 %"));
    robot.rightClickOn("#voice-member-u-alice");
    assertThat(robot.lookup("#voice-volume-u-alice").tryQuery()).isEmpty();
  }

  @Test
  void volumesAreSavedPerUserId() throws Exception {
    VoiceVolumes v = new VoiceVolumes(dir);
    assertThat(v.get("u-bob")).isEqualTo(1.0);
    v.set("u-bob", 0.5);
    v.set("u-carol", 1.75);
    VoiceVolumes again = new VoiceVolumes(dir);
    assertThat(again.get("u-bob")).isEqualTo(0.5);
    assertThat(again.all()).containsEntry("u-carol", 1.75).hasSize(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.set("u-bob", 2.5))
        .isInstanceOf(IllegalArgumentException.class);
    // a damaged file means 100 % for everybody, not a failure
    Files.writeString(dir.resolve(VoiceVolumes.FILE), "u-bob=loud\nu-dave=0.25\n");
    VoiceVolumes damaged = new VoiceVolumes(dir);
    assertThat(damaged.get("u-bob")).isEqualTo(1.0);
    assertThat(damaged.get("u-dave")).isEqualTo(0.25);
  }
}
