package com.parchchat.client.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the client keeps its files: {@code $XDG_CONFIG_HOME/parch}, else {@code ~/.config/parch}.
 * The {@code --config-dir} flag or {@code parch.config.dir} system property override both, which
 * is how tests and several clients on one machine stay apart.
 */
public final class ConfigDirs {
  private ConfigDirs() {}

  public static Path resolve(Path override) {
    if (override != null) {
      return override;
    }
    String prop = System.getProperty("parch.config.dir");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    return fromEnvironment(System.getenv(), System.getProperty("user.home"));
  }

  static Path fromEnvironment(Map<String, String> env, String userHome) {
    String xdg = env.get("XDG_CONFIG_HOME");
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "parch");
    }
    return Path.of(userHome, ".config", "parch");
  }
}
