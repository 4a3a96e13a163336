package com.parchchat.client.core;

import java.util.regex.Pattern;

/**
 * Checks a pasted Host Key before it is saved or sent. The relay is the authority on which keys
 * exist; this only rejects text that cannot be one (blank, spaces, control characters, too long),
 * so a typo gets a clear message at once instead of a round trip.
 */
public final class HostKeys {
  public static final int MAX_LENGTH = 128;
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_\\-:.]{1," + MAX_LENGTH + "}");

  private HostKeys() {}

  /** Trims surrounding whitespace (people paste with newlines) and validates. */
  public static String normalize(String pasted) {
    String key = pasted == null ? "" : pasted.strip();
    requireValid(key);
    return key;
  }

  public static void requireValid(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("Host Key is empty");
    }
    if (!SHAPE.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "Host Key must be 1-" + MAX_LENGTH + " letters, digits or - _ : . characters");
    }
  }
}
