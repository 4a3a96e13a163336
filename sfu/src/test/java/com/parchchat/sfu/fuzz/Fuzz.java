package com.parchchat.sfu.fuzz;

/** Assertion helper for fuzz targets: cheaper than AssertJ on the hot path, same failure type. */
final class Fuzz {
  private Fuzz() {}

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
