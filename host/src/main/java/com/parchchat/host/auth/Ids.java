package com.parchchat.host.auth;

/**
 * Host-local ids on the wire are decimal strings of SQLite row ids. Anything else names nothing:
 * it is answered exactly like an id that does not exist.
 */
public final class Ids {
  private Ids() {}

  /** The row id in {@code id}, or {@code -1} (matches no row) when it is not a positive decimal number. */
  public static long parse(String id) {
    if (id == null || id.isEmpty() || id.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v == 0 ? -1 : v;
  }
}
