package com.parchchat.sfu;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes java.util.logging (used by jitsi-srtp's logger) into SLF4J, so the SFU writes one log format.
 * Installed once by {@link SfuMain}; a dozen lines instead of another dependency.
 */
final class JulBridge extends Handler {
  private JulBridge() {}

  static void install() {
    java.util.logging.Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    root.addHandler(new JulBridge());
    root.setLevel(Level.INFO);
  }

  @Override
  public void publish(LogRecord r) {
    if (r == null) {
      return;
    }
    Logger log = LoggerFactory.getLogger(r.getLoggerName() == null ? "jul" : r.getLoggerName());
    String msg = r.getMessage();
    int level = r.getLevel().intValue();
    if (level >= Level.SEVERE.intValue()) {
      log.error(msg, r.getThrown());
    } else if (level >= Level.WARNING.intValue()) {
      log.warn(msg, r.getThrown());
    } else if (level >= Level.INFO.intValue()) {
      log.info(msg, r.getThrown());
    } else {
      log.debug(msg, r.getThrown());
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
