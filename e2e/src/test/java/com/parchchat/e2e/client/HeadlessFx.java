package com.parchchat.e2e.client;

/**
 * Headless JavaFX for TestFX in this module (the client module sets the same flags in its
 * surefire argLine; here they are set before the toolkit starts so other e2e tests keep their JVM
 * flags). Monocle 17.0.10 is the build that runs on Java 17.
 */
final class HeadlessFx {
  private HeadlessFx() {}

  static void init() {
    set("testfx.robot", "glass");
    set("testfx.headless", "true");
    set("glass.platform", "Monocle");
    set("monocle.platform", "Headless");
    set("prism.order", "sw");
    set("prism.text", "t2k");
    set("java.awt.headless", "true");
    set("headless.geometry", "1440x900-32");
  }

  private static void set(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
