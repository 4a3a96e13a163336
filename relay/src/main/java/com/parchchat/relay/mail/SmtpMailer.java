package com.parchchat.relay.mail;

import com.parchchat.relay.config.MailConfig;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Sends reset mail through an SMTP server with Jakarta Mail (Eclipse Angus implementation). */
public final class SmtpMailer implements Mailer {
  private final Session session;
  private final String from;

  public SmtpMailer(MailConfig config) {
    Properties p = new Properties();
    p.put("mail.transport.protocol", "smtp");
    p.put("mail.smtp.host", config.smtpHost());
    p.put("mail.smtp.port", String.valueOf(config.smtpPort()));
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "10000");
    p.put("mail.smtp.writetimeout", "10000");
    if (config.startTls()) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    Authenticator auth = null;
    if (config.smtpUsername() != null && !config.smtpUsername().isBlank()) {
      p.put("mail.smtp.auth", "true");
      String user = config.smtpUsername();
      String password = config.smtpPassword() == null ? "" : config.smtpPassword();
      auth =
          new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
              return new PasswordAuthentication(user, password);
            }
          };
    }
    this.session = Session.getInstance(p, auth);
    this.from = config.from();
  }

  @Override
  public void sendPasswordReset(String to, String username, String link, int validMinutes) throws MailException {
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(new InternetAddress(from));
      m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to, true));
      m.setSubject("Reset your Parch password", StandardCharsets.UTF_8.name());
      m.setText(
          "Hello " + username + ",\n\n"
              + "someone asked to reset the password of your Parch account. To choose a new password, open:\n\n"
              + link + "\n\n"
              + "The link works once, for " + validMinutes + " minutes. If you did not ask for this, ignore this mail.\n",
          StandardCharsets.UTF_8.name());
      Transport.send(m);
    } catch (MessagingException e) {
      throw new MailException("SMTP delivery to the configured server failed: " + e.getMessage(), e);
    }
  }
}
