package com.parchchat.testkit.process;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code main} of a helper JVM that a test or bench starts as a child process and reads line by
 * line: runs the body, and on any failure prints one line {@code <failurePrefix> <throwable>} and the
 * stack trace to stdout (the stream the parent parses), then ends the JVM explicitly — libwebrtc
 * leaves non-daemon native threads behind, so returning from {@code main} would not exit.
 */
public final class ChildMain {

  /** The child's work; may throw anything. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  private ChildMain() {
  }

  /**
   * The child's {@code --key value} arguments as a map from key (without the dashes) to value; a
   * trailing key without a value is ignored. Children take only what their parent test wrote, so
   * there is no usage text to print.
   */
  public static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return o;
  }

  /** Runs {@code body}; exits 0 when it returns, {@code failureCode} after printing a failure line. */
  public static void exitAfter(String failurePrefix, int failureCode, Body body) {
    int code = 0;
    try {
      body.run();
    } catch (Throwable t) {
      System.out.println(failurePrefix + " " + t);
      t.printStackTrace(System.out);
      code = failureCode;
    }
    System.out.flush();
    System.exit(code);
  }
}
