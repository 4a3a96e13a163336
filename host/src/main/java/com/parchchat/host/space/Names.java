package com.parchchat.host.space;

import com.parchchat.host.auth.HostApiException;
import com.parchchat.protocol.signal.Limits;

/** Validation of space and channel names. */
public final class Names {
  private Names() {}

  /** The trimmed name, or a typed error when it is blank, too long or contains control characters. */
  public static String check(String name, Limits limits) {
    String n = name.strip();
    if (n.isEmpty()) {
      throw HostApiException.badRequest("name must not be blank");
    }
    if (n.length() > limits.maxNameChars()) {
      throw HostApiException.tooLarge("name exceeds " + limits.maxNameChars() + " characters");
    }
    for (int i = 0; i < n.length(); i++) {
      if (Character.isISOControl(n.charAt(i))) {
        throw HostApiException.badRequest("name must not contain control characters");
      }
    }
    return n;
  }
}
