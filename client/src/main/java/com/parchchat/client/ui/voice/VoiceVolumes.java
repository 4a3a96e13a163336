package com.parchchat.client.ui.voice;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The playback volume chosen per user id (0..2), kept in {@code voice-volumes.properties} in the
 * client's config directory so it survives restarts. Written whole to a temporary file and moved into
 * place; an unreadable file or a bad value is ignored with a warning (volume 100 %).
 */
public final class VoiceVolumes {
  private static final Logger log = LoggerFactory.getLogger(VoiceVolumes.class);
  static final String FILE = "voice-volumes.properties";

  private final Path file;
  private final Map<String, Double> volumes = new TreeMap<>();

  public VoiceVolumes(Path configDir) {
    this.file = configDir.resolve(FILE);
    load();
  }

  private void load() {
    Properties p;
    try {
      p = SettingsFile.load(file);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("voice volumes unreadable ({}); using 100 %", e.getMessage());
      return;
    }
    for (String user : p.stringPropertyNames()) {
      try {
        double v = Double.parseDouble(p.getProperty(user));
        if (v >= 0 && v <= 2) {
          volumes.put(user, v);
        }
      } catch (NumberFormatException e) {
        log.warn("voice volume of {} is not a number; ignored", user);
      }
    }
  }

  /** The stored volume of {@code userId}, 1 when none. */
  public synchronized double get(String userId) {
    return volumes.getOrDefault(userId, 1.0);
  }

  /** Every stored volume. */
  public synchronized Map<String, Double> all() {
    return Map.copyOf(volumes);
  }

  /** Stores {@code volume} (0..2) for {@code userId} and writes the file. */
  public synchronized void set(String userId, double volume) {
    if (!(volume >= 0 && volume <= 2)) {
      throw new IllegalArgumentException("volume must be in [0, 2]: " + volume);
    }
    volumes.put(userId, volume);
    Properties p = new Properties();
    volumes.forEach((u, v) -> p.setProperty(u, Double.toString(v)));
    try {
      SettingsFile.store(file, p, "Parch: playback volume per user id (1.0 = 100 %)");
    } catch (IOException e) {
      log.warn("cannot save voice volumes: {}", e.getMessage());
    }
  }
}
