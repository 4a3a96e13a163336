package com.parchchat.client.ui;

import java.util.Objects;
import javafx.scene.Scene;

/** Applies the base stylesheet plus the dark or light palette to a scene. */
enum Theme {
  DARK("theme-dark.css"),
  LIGHT("theme-light.css");

  private final String palette;

  Theme(String palette) {
    this.palette = palette;
  }

  static Theme of(String name) {
    return "light".equals(name) ? LIGHT : DARK;
  }

  String wireName() {
    return this == LIGHT ? "light" : "dark";
  }

  void apply(Scene scene) {
    scene.getStylesheets().setAll(url(palette), url("parch.css"));
  }

  private static String url(String name) {
    return Objects.requireNonNull(Theme.class.getResource(name), name).toExternalForm();
  }
}
