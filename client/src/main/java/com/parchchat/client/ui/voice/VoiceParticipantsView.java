package com.parchchat.client.ui.voice;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;

/**
 * The people in a voice channel, each with an initial in a circle whose ring lights up while they speak
 * (from the SFU's speaker events, and the local level for ourselves). Rows have ids
 * {@code voice-member-<userId>}; a speaking row's ring carries the style class {@code speaking}.
 * FX thread only.
 */
public final class VoiceParticipantsView extends VBox {

  /** One row: who, and whether they are muted. */
  public record Row(String userId, String name, boolean muted) {
  }

  static final Color RING = Color.web("#3ba55d");

  private List<Row> rows = List.of();
  private Set<String> speaking = Set.of();

  public VoiceParticipantsView() {
    setSpacing(4);
    setId("voice-participants");
    getStyleClass().add("voice-participants");
  }

  public void setRows(List<Row> rows) {
    this.rows = List.copyOf(rows);
    render();
  }

  public void setSpeaking(Set<String> userIds) {
    this.speaking = Set.copyOf(userIds);
    render();
  }

  /** User ids whose ring is lit now. */
  public Set<String> lit() {
    return speaking;
  }

  private void render() {
    List<HBox> out = new ArrayList<>();
    for (Row r : rows) {
      boolean talking = speaking.contains(r.userId()) && !r.muted();
      Circle ring = new Circle(13);
      ring.setFill(Color.web("#5865f2"));
      ring.setStroke(talking ? RING : Color.TRANSPARENT);
      ring.setStrokeWidth(2.5);
      ring.getStyleClass().add("voice-ring");
      if (talking) {
        ring.getStyleClass().add("speaking");
      }
      Label initial = new Label(r.name().isEmpty() ? "?" : r.name().substring(0, 1).toUpperCase());
      initial.setTextFill(Color.WHITE);
      StackPane avatar = new StackPane(ring, initial);
      Label name = new Label(r.name() + (r.muted() ? "  (muted)" : ""));
      HBox row = new HBox(8, avatar, name);
      row.setAlignment(Pos.CENTER_LEFT);
      row.setId("voice-member-" + r.userId().replaceAll("[^A-Za-z0-9_-]", "-"));
      row.getStyleClass().add("voice-participant");
      out.add(row);
    }
    getChildren().setAll(out);
  }
}
