package com.parchchat.client.ui.voice;

import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceException;
import dev.onvoid.webrtc.media.audio.AudioDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The microphone and speaker the user chose, by name, kept in {@code voice-devices.properties} in the
 * client's config directory so the next run of the app starts on them (as Discord and Mumble do). An
 * unreadable file is ignored with a warning (default devices); a saved device that is not there now is
 * skipped, and used again once it is chosen again.
 */
public final class VoiceDevices {
  private static final Logger log = LoggerFactory.getLogger(VoiceDevices.class);
  static final String FILE = "voice-devices.properties";
  private static final String MICROPHONE = "microphone";
  private static final String SPEAKER = "speaker";

  private final Path file;
  private final Properties saved;

  public VoiceDevices(Path configDir) {
    this.file = configDir.resolve(FILE);
    Properties p;
    try {
      p = SettingsFile.load(file);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("voice devices unreadable ({}); using the default devices", e.getMessage());
      p = new Properties();
    }
    this.saved = p;
  }

  public synchronized Optional<String> microphone() {
    return Optional.ofNullable(saved.getProperty(MICROPHONE));
  }

  public synchronized Optional<String> speaker() {
    return Optional.ofNullable(saved.getProperty(SPEAKER));
  }

  public void setMicrophone(String name) {
    set(MICROPHONE, name);
  }

  public void setSpeaker(String name) {
    set(SPEAKER, name);
  }

  private synchronized void set(String key, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("device name must not be blank");
    }
    saved.setProperty(key, name);
    try {
      SettingsFile.store(file, saved, "Parch: the chosen microphone and speaker, by name");
    } catch (IOException e) {
      log.warn("cannot save voice devices: {}", e.getMessage());
    }
  }

  /**
   * Chooses the saved devices on {@code engine} (off the FX thread: on PulseAudio this asks the sound
   * server). A device that is not listed now, or that cannot be chosen, is skipped with a log line.
   */
  public void applyTo(VoiceEngine engine) {
    microphone().ifPresent(name -> apply(name, engine.microphones(), engine::selectMicrophone, "microphone"));
    speaker().ifPresent(name -> apply(name, engine.speakers(), engine::selectSpeaker, "speaker"));
  }

  private static void apply(String name, List<AudioDevice> listed, java.util.function.Consumer<AudioDevice> select,
      String what) {
    Optional<AudioDevice> d = listed.stream().filter(x -> x.getName().equals(name)).findFirst();
    if (d.isEmpty()) {
      log.info("voice: saved {} \"{}\" is not there; using the default", what, name);
      return;
    }
    try {
      select.accept(d.get());
    } catch (VoiceException e) {
      log.warn("voice: saved {} \"{}\" cannot be used ({}); using the default", what, name, e.getMessage());
    }
  }
}
