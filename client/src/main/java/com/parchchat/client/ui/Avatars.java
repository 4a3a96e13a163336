package com.parchchat.client.ui;

import javafx.scene.control.Label;

/** Round initial-letter avatars with a stable colour per user id. */
final class Avatars {
  private static final String[] COLORS = {
    "#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#57f287", "#9b59b6", "#1abc9c", "#e67e22",
  };

  private Avatars() {}

  static String color(String key) {
    int h = key == null ? 0 : key.hashCode();
    return COLORS[Math.floorMod(h, COLORS.length)];
  }

  static String initials(String name) {
    if (name == null || name.isBlank()) {
      return "?";
    }
    String[] parts = name.strip().split("\\s+");
    StringBuilder sb = new StringBuilder();
    sb.appendCodePoint(Character.toUpperCase(parts[0].codePointAt(0)));
    if (parts.length > 1) {
      sb.appendCodePoint(Character.toUpperCase(parts[1].codePointAt(0)));
    }
    return sb.toString();
  }

  static Label avatar(String key, String name, boolean small) {
    Label l = new Label(initials(name));
    l.getStyleClass().add("avatar");
    if (small) {
      l.getStyleClass().add("small");
    }
    l.setStyle("-fx-background-color: " + color(key) + ";");
    return l;
  }
}
