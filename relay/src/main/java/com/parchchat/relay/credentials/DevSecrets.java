package com.parchchat.relay.credentials;

import com.parchchat.relay.account.Tokens;
import com.parchchat.relay.config.VoiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills in voice secrets that the config leaves empty: they are generated once (256 random bits
 * each) into {@code <dataDir>/dev-secrets.properties} (mode 600) and reused on later starts, so a
 * local stack works without hand-made secrets and no secret is ever committed. Give the SFU and
 * the TURN server the same values (keys {@code sfuSecret}, {@code sfuAdminSecret},
 * {@code turnSecret}).
 */
public final class DevSecrets {
  private static final Logger log = LoggerFactory.getLogger(DevSecrets.class);
  public static final String FILE_NAME = "dev-secrets.properties";

  private DevSecrets() {}

  public static VoiceConfig fill(VoiceConfig voice, Path dataDir) {
    if (present(voice.sfuSecret()) && present(voice.sfuAdminSecret()) && present(voice.turnSecret())) {
      return voice;
    }
    Path file = dataDir.resolve(FILE_NAME);
    Properties p = new Properties();
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          p.load(in);
        }
      }
      boolean changed = false;
      for (String key : new String[] {"sfuSecret", "sfuAdminSecret", "turnSecret"}) {
        if (!present(p.getProperty(key))) {
          p.setProperty(key, Tokens.newSecret());
          changed = true;
        }
      }
      if (changed) {
        write(file, p);
        log.info("generated missing voice secrets into {} (share them with the SFU and TURN server)", file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
    return voice.withSecrets(
        present(voice.sfuSecret()) ? voice.sfuSecret() : p.getProperty("sfuSecret"),
        present(voice.sfuAdminSecret()) ? voice.sfuAdminSecret() : p.getProperty("sfuAdminSecret"),
        present(voice.turnSecret()) ? voice.turnSecret() : p.getProperty("turnSecret"));
  }

  private static void write(Path file, Properties p) throws IOException {
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
      Files.createFile(tmp);
    }
    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
      p.store(out, "Parch relay voice secrets, generated on first start. Never commit this file.");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean present(String s) {
    return s != null && !s.isEmpty();
  }
}
