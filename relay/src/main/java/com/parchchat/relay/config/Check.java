package com.parchchat.relay.config;

import java.net.URI;
import java.net.URISyntaxException;

/** Validation helpers whose messages name the config key, so a bad config fails clearly at start. */
final class Check {
  private Check() {}

  static void notNull(String key, Object value) {
    if (value == null) {
      throw new IllegalArgumentException("config key '" + key + "' is required");
    }
  }

  static void notBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("config key '" + key + "' must not be empty");
    }
  }

  static void range(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "config key '" + key + "' must be between " + min + " and " + max + " but is " + value);
    }
  }

  static void url(String key, String value) {
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("config key '" + key + "' must be an absolute URL: " + value);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("config key '" + key + "' is not a URL: " + e.getMessage(), e);
    }
  }
}
