package com.parchchat.relay.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local-development default: writes the reset link to the log instead of sending mail, so a
 * developer can reset a password without an SMTP server. The link is a one-time, 1-hour secret;
 * configure {@code mail.mode: smtp} anywhere the log is shared.
 */
public final class ConsoleMailer implements Mailer {
  private static final Logger log = LoggerFactory.getLogger(ConsoleMailer.class);

  @Override
  public void sendPasswordReset(String to, String username, String link, int validMinutes) {
    log.info("password reset for '{}' <{}> (console mailer, valid {} min): {}", username, to, validMinutes, link);
  }
}
