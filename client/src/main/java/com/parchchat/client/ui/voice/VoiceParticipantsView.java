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
  private java.util.function.ToDoubleFunction<String> volumeOf = u -> 1;
  private java.util.function.BiConsumer<String, Double> setVolume;
  private String selfUserId;

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

  /**
   * Gives every row but {@code selfUserId}'s a context menu with a volume slider (0–200 %, id
   * {@code voice-volume-<userId>}); rows whose volume is not 100 % show it (style class
   * {@code voice-volume-badge}).
   */
  public void setVolumeControl(String selfUserId, java.util.function.ToDoubleFunction<String> volumeOf,
      java.util.function.BiConsumer<String, Double> setVolume) {
    this.selfUserId = selfUserId;
    this.volumeOf = volumeOf;
    this.setVolume = setVolume;
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
      if (setVolume != null && !r.userId().equals(selfUserId)) {
        double vol = volumeOf.applyAsDouble(r.userId());
        if (Math.abs(vol - 1) > 1e-9) {
          Label badge = new Label(Math.round(vol * 100) + " %");
          badge.getStyleClass().add("voice-volume-badge");
          row.getChildren().add(badge);
        }
        installVolumeMenu(row, r, vol);
      }
      row.setAlignment(Pos.CENTER_LEFT);
      row.setId("voice-member-" + r.userId().replaceAll("[^A-Za-z0-9_-]", "-"));
      row.getStyleClass().add("voice-participant");
      out.add(row);
    }
    getChildren().setAll(out);
  }

  /** The volume menu is built when it is asked for (rows are rebuilt on every speaking change). */
  private void installVolumeMenu(HBox row, Row r, double vol) {
    row.setOnContextMenuRequested(e -> {
      showMenu(row, r, vol, e.getScreenX(), e.getScreenY());
      e.consume();
    });
    // a secondary click opens it too (not every glass platform synthesizes the context-menu event)
    row.setOnMouseClicked(e -> {
      if (e.getButton() == javafx.scene.input.MouseButton.SECONDARY) {
        showMenu(row, r, vol, e.getScreenX(), e.getScreenY());
      }
    });
  }

  private javafx.scene.control.ContextMenu openMenu;

  private void showMenu(HBox row, Row r, double vol, double x, double y) {
    if (openMenu != null && openMenu.isShowing()) {
      return;
    }
    openMenu = volumeMenu(row, r, vol);
    openMenu.show(row, x, y);
  }

  private javafx.scene.control.ContextMenu volumeMenu(HBox row, Row r, double vol) {
    javafx.scene.control.Slider slider = new javafx.scene.control.Slider(0, 200, vol * 100);
    slider.setId("voice-volume-" + r.userId().replaceAll("[^A-Za-z0-9_-]", "-"));
    slider.setMajorTickUnit(50);
    slider.setMinorTickCount(9); // ticks every 5 %, so 100 % is easy to hit again
    slider.setSnapToTicks(true);
    slider.setShowTickMarks(true);
    slider.setPrefWidth(180);
    Label value = new Label(Math.round(vol * 100) + " %");
    slider.valueProperty().addListener((obs, o, n) -> value.setText(Math.round(n.doubleValue()) + " %"));
    slider.valueChangingProperty().addListener((obs, was, changing) -> {
      if (!changing) {
        setVolume.accept(r.userId(), slider.getValue() / 100);
      }
    });
    slider.setOnMouseReleased(e -> setVolume.accept(r.userId(), slider.getValue() / 100));
    slider.setOnKeyReleased(e -> setVolume.accept(r.userId(), slider.getValue() / 100));
    // a volume other than 0 or 100 % plays through our own mix, which echo cancellation cannot hear
    Label hint = new Label("Not 100 %: use headphones (echo cancellation off)");
    hint.getStyleClass().add("voice-volume-hint");
    VBox box = new VBox(4, new Label("Volume of " + r.name()), new HBox(8, slider, value), hint);
    javafx.scene.control.CustomMenuItem item = new javafx.scene.control.CustomMenuItem(box, false);
    javafx.scene.control.ContextMenu menu = new javafx.scene.control.ContextMenu(item);
    menu.setOnHidden(e -> {
      if (Math.abs(slider.getValue() / 100 - volumeOf.applyAsDouble(r.userId())) > 1e-9) {
        setVolume.accept(r.userId(), slider.getValue() / 100);
      }
      render();
    });
    return menu;
  }
}
