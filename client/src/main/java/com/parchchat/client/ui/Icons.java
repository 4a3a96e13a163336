package com.parchchat.client.ui;

import javafx.scene.Node;
import javafx.scene.shape.SVGPath;

/** Small vector icons drawn here (no icon font needed, so they render the same everywhere). */
final class Icons {
  private Icons() {}

  /** A loudspeaker with two sound waves, for voice channels. */
  static Node speaker() {
    return path("M1 6 H5 L10 2 V16 L5 12 H1 Z "
        + "M12 5.5 Q14.5 9 12 12.5 L13 13.5 Q16.5 9 13 4.5 Z "
        + "M14.2 3 Q19 9 14.2 15 L15.2 16 Q21 9 15.2 2 Z");
  }

  /** A hash sign, for text channels. */
  static Node hash() {
    return path("M6 1 H8 L7.2 5 H11.2 L12 1 H14 L13.2 5 H17 V7 H12.8 L12 11 H16 V13 H11.6 L10.8 17 H8.8 L9.6 13 "
        + "H5.6 L4.8 17 H2.8 L3.6 13 H0 V11 H4 L4.8 7 H1 V5 H5.2 Z M6.8 7 L6 11 H10 L10.8 7 Z");
  }

  /** A magnifier, for search. */
  static Node search() {
    Node n = path("M7 1 A6 6 0 1 0 7 13 A6 6 0 1 0 7 1 Z M7 3 A4 4 0 1 1 7 11 A4 4 0 1 1 7 3 Z "
        + "M10.6 12 L12 10.6 L17 15.6 L15.6 17 Z");
    ((SVGPath) n).setFillRule(javafx.scene.shape.FillRule.EVEN_ODD);
    return n;
  }

  private static Node path(String d) {
    SVGPath p = new SVGPath();
    p.setContent(d);
    p.getStyleClass().add("icon-path");
    return p;
  }
}
