package com.parchchat.client.ui.voice;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/** A small properties file in the client's config directory, read whole and written whole. */
final class SettingsFile {

  private SettingsFile() {
  }

  /**
   * The file's entries; empty when it does not exist.
   *
   * @throws IOException or IllegalArgumentException when it cannot be read or parsed
   */
  static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      }
    }
    return p;
  }

  /** Writes {@code p} to a temporary file next to {@code file} and moves it into place. */
  static void store(Path file, Properties p, String comment) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, comment);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
