package com.parchchat.turn.server;

import com.parchchat.turn.config.TurnConfig.DataPath;

/**
 * Decides whether the native relay data path ({@link NativeIo}, {@code jdk.incubator.foreign})
 * can run in this JVM. This class itself refers to no foreign type, so it loads everywhere.
 */
public final class DataPathSupport {
  /** The JVM flags the native path needs (JDK 17). */
  public static final String JVM_FLAGS = "--add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED";

  private static final String UNAVAILABLE = probe();

  private DataPathSupport() {}

  /** Null when the native path can run, else why not. */
  public static String unavailableReason() {
    return UNAVAILABLE;
  }

  /**
   * Whether to use the native path for {@code requested} with the epoll transport present or
   * not; throws for {@code native} when it cannot run.
   */
  public static boolean useNative(DataPath requested, boolean epoll) {
    if (requested == DataPath.NETTY) {
      return false;
    }
    String reason = !epoll ? "the native epoll transport is not available" : UNAVAILABLE;
    if (reason != null && requested == DataPath.NATIVE) {
      throw new IllegalStateException("data-path native: " + reason + " (JVM flags: " + JVM_FLAGS + ")");
    }
    return reason == null;
  }

  private static String probe() {
    if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isEmpty()) {
      return "module jdk.incubator.foreign is not in the boot layer (JVM flag --add-modules jdk.incubator.foreign)";
    }
    try {
      Class.forName("com.parchchat.turn.server.NativeIo", true, DataPathSupport.class.getClassLoader());
      return null;
    } catch (Throwable t) {
      Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
      return "native access refused: " + cause + " (JVM flag --enable-native-access=ALL-UNNAMED)";
    }
  }
}
