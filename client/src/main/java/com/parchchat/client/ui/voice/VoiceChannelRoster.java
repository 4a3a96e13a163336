package com.parchchat.client.ui.voice;

import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.VoiceChannelState;
import com.parchchat.protocol.api.VoiceParticipant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.beans.value.WeakChangeListener;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import javafx.scene.shape.SVGPath;

/**
 * A voice channel in the channel list with the people in it: who is there comes from the host's
 * published voice state (so it shows for channels we are not in), whether they speak from
 * {@link Speaking} (the SFU's speaker events and our local level, for the channel we are in). Each row
 * has an avatar whose ring lights up while that person speaks, and icons for muted and deafened.
 *
 * <p>Ids and style classes for tests and CSS: a row {@code roster-<userId>} (style class
 * {@code voice-participant}), its ring {@code voice-ring} (+ {@code speaking} while lit), the icons
 * {@code voice-muted-icon} and {@code voice-deafened-icon}. The rings follow {@code speaking} in place
 * (through a weak listener, so a discarded roster does not leak); FX thread only.
 */
public final class VoiceChannelRoster extends VBox {

  /** Who speaks now in which channel (the one we are in); {@link #NOBODY} when not in a call. */
  public record Speaking(String channelId, Set<String> userIds) {
    public static final Speaking NOBODY = new Speaking(null, Set.of());

    public Speaking {
      userIds = Set.copyOf(userIds);
    }

    boolean speaks(String channel, String userId) {
      return channel.equals(channelId) && userIds.contains(userId);
    }
  }

  static final Color RING = Color.web("#3ba55d");

  private final String channelId;
  private final Map<String, Circle> rings = new HashMap<>();
  private final Map<String, VoiceParticipant> byUser = new HashMap<>();
  private final ChangeListener<Speaking> onSpeaking = (obs, old, now) -> light(now);
  private final List<Object> strong = new ArrayList<>();

  /**
   * @param channelRow   the channel's own row (icon and name), shown first
   * @param participants the channel's voice state from the host
   * @param speaking     the speaking state of the call in progress (may be null)
   */
  public VoiceChannelRoster(Node channelRow, String channelId, List<VoiceParticipant> participants,
      ObservableValue<Speaking> speaking) {
    this.channelId = channelId;
    getStyleClass().add("voice-roster");
    getChildren().add(channelRow);
    for (VoiceParticipant p : participants) {
      getChildren().add(row(p));
    }
    if (speaking != null) {
      strong.add(onSpeaking);
      speaking.addListener(new WeakChangeListener<>(onSpeaking));
      light(speaking.getValue());
    }
  }

  /** The participants of {@code channelId} in the space's published voice state. */
  public static List<VoiceParticipant> participantsOf(SpaceState space, String channelId) {
    if (space == null) {
      return List.of();
    }
    for (VoiceChannelState v : space.voice().get()) {
      if (v.channelId().equals(channelId)) {
        return v.participants();
      }
    }
    return List.of();
  }

  /** User ids whose ring is lit now. */
  public Set<String> lit() {
    Set<String> out = new java.util.TreeSet<>();
    rings.forEach((u, c) -> {
      if (c.getStyleClass().contains("speaking")) {
        out.add(u);
      }
    });
    return out;
  }

  private HBox row(VoiceParticipant p) {
    Circle ring = new Circle(11);
    ring.setFill(Color.web("#5865f2"));
    ring.setStroke(Color.TRANSPARENT);
    ring.setStrokeWidth(2.5);
    ring.getStyleClass().add("voice-ring");
    String name = p.displayName() == null || p.displayName().isEmpty() ? "?" : p.displayName();
    Label initial = new Label(name.substring(0, 1).toUpperCase(java.util.Locale.ROOT));
    initial.setTextFill(Color.WHITE);
    StackPane avatar = new StackPane(ring, initial);
    HBox row = new HBox(6, avatar, new Label(name));
    row.setAlignment(Pos.CENTER_LEFT);
    if (p.muted()) {
      row.getChildren().add(icon(MIC_OFF, "voice-muted-icon", "muted"));
    }
    if (p.deafened()) {
      row.getChildren().add(icon(DEAF, "voice-deafened-icon", "deafened"));
    }
    row.getStyleClass().add("voice-participant");
    row.setId("roster-" + p.userId().replaceAll("[^A-Za-z0-9_-]", "-"));
    rings.put(p.userId(), ring);
    byUser.put(p.userId(), p);
    return row;
  }

  private void light(Speaking s) {
    Speaking now = s == null ? Speaking.NOBODY : s;
    rings.forEach((user, ring) -> {
      VoiceParticipant p = byUser.get(user);
      boolean on = now.speaks(channelId, user) && !p.muted();
      ring.setStroke(on ? RING : Color.TRANSPARENT);
      if (on && !ring.getStyleClass().contains("speaking")) {
        ring.getStyleClass().add("speaking");
      } else if (!on) {
        ring.getStyleClass().remove("speaking");
      }
    });
  }

  /** A microphone with a slash. */
  private static final String MIC_OFF = "M6 1 a3 3 0 0 1 3 3 V8 a3 3 0 0 1 -6 0 V4 a3 3 0 0 1 3 -3 Z "
      + "M1 7 H2.2 a3.8 3.8 0 0 0 7.6 0 H11 a5 5 0 0 1 -4.4 5 V14 H5.4 V12 A5 5 0 0 1 1 7 Z "
      + "M0.5 1.3 L1.3 0.5 L11.5 10.7 L10.7 11.5 Z";
  /** Headphones with a slash. */
  private static final String DEAF = "M1 9 a5 5 0 0 1 10 0 V12 H8.5 V8.5 H10 a4 4 0 0 0 -8 0 H3.5 V12 H1 Z "
      + "M0.5 1.3 L1.3 0.5 L11.5 10.7 L10.7 11.5 Z";

  private static Node icon(String path, String styleClass, String what) {
    SVGPath p = new SVGPath();
    p.setContent(path);
    p.setFill(Color.web("#ed4245"));
    p.getStyleClass().addAll("icon-path", styleClass);
    javafx.scene.control.Tooltip.install(p, new javafx.scene.control.Tooltip(what));
    return p;
  }
}
