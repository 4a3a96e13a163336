package com.parchchat.relay.config;

import java.util.Locale;

/**
 * How password-reset mail is sent. {@code console} (default) only logs the reset link; {@code smtp}
 * sends through the SMTP server below.
 *
 * @param mode {@code console} or {@code smtp}
 * @param from sender address
 * @param smtpHost SMTP server host
 * @param smtpPort SMTP server port
 * @param smtpUsername optional SMTP login
 * @param smtpPassword optional SMTP password (never logged)
 * @param startTls require STARTTLS
 */
public record MailConfig(
    String mode,
    String from,
    String smtpHost,
    int smtpPort,
    String smtpUsername,
    String smtpPassword,
    boolean startTls) {

  public MailConfig {
    Check.notBlank("mail.mode", mode);
    mode = mode.toLowerCase(Locale.ROOT);
    if (!mode.equals("console") && !mode.equals("smtp")) {
      throw new IllegalArgumentException("config key 'mail.mode' must be 'console' or 'smtp' but is " + mode);
    }
    Check.notBlank("mail.from", from);
    if (mode.equals("smtp")) {
      Check.notBlank("mail.smtpHost", smtpHost);
      Check.range("mail.smtpPort", smtpPort, 1, 65535);
    }
  }

  public boolean smtp() {
    return mode.equals("smtp");
  }

  @Override
  public String toString() {
    return "MailConfig[mode=" + mode + ", from=" + from + ", smtpHost=" + smtpHost + ", smtpPort=" + smtpPort
        + ", smtpUsername=" + smtpUsername + ", smtpPassword=" + (smtpPassword == null ? "none" : "***")
        + ", startTls=" + startTls + "]";
  }
}
