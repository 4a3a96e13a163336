package com.parchchat.host.gui;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The optional status window ({@code --gui}): the Host Key with a copy button, the relay
 * connection state, who is connected, and the tail of the log. It only reads; closing it leaves
 * the host running.
 */
public final class StatusWindow {
  private final StatusModel model;
  private final Label relay = new Label();
  private final ListView<String> users = new ListView<>();
  private final TextArea log = new TextArea();
  private final Scene scene;
  private final Timeline refresh;

  /** Builds the scene; call on the FX thread. */
  public StatusWindow(StatusModel model) {
    this.model = model;
    Label title = new Label(model.name());
    title.setId("title");
    title.setStyle("-fx-font-size: 18px; -fx-font-weight: bold;");
    TextField key = new TextField(model.hostKey());
    key.setId("hostKey");
    key.setEditable(false);
    HBox.setHgrow(key, Priority.ALWAYS);
    Button copy = new Button("Copy");
    copy.setId("copy");
    copy.setOnAction(e -> {
      ClipboardContent content = new ClipboardContent();
      content.putString(model.hostKey());
      Clipboard.getSystemClipboard().setContent(content);
    });
    relay.setId("relay");
    users.setId("users");
    users.setPrefHeight(120);
    log.setId("log");
    log.setEditable(false);
    log.setStyle("-fx-font-family: monospace; -fx-font-size: 11px;");
    VBox.setVgrow(log, Priority.ALWAYS);
    VBox root = new VBox(8,
        title,
        new Label("Host Key (give it to your users):"),
        new HBox(6, key, copy),
        relay,
        new Label("Connected users:"),
        users,
        new Label("Log:"),
        log);
    root.setPadding(new Insets(12));
    scene = new Scene(root, 640, 520);
    refresh = new Timeline(new KeyFrame(Duration.seconds(1), e -> update()));
    refresh.setCycleCount(Timeline.INDEFINITE);
    update();
  }

  /** Re-reads the model (the timeline calls it every second). */
  public void update() {
    relay.setText("Relay: " + model.relayStatus());
    users.getItems().setAll(model.onlineUsers());
    String text = String.join("\n", model.logLines());
    if (!text.equals(log.getText())) {
      log.setText(text);
      log.positionCaret(text.length());
    }
  }

  public Scene scene() {
    return scene;
  }

  public void start() {
    refresh.play();
  }

  public void stop() {
    refresh.stop();
  }
}
