package com.parchchat.relay.mail;

/** Sends the relay's only mail: the password-reset link. Implementations may block; call off the event loop. */
public interface Mailer {
  /**
   * @param to recipient address
   * @param username the account's username, for the greeting
   * @param link the one-time reset link (contains a secret token)
   * @param validMinutes how long the link works
   */
  void sendPasswordReset(String to, String username, String link, int validMinutes) throws MailException;

  /** Sending failed; the message says why, without secrets. */
  final class MailException extends Exception {
    private static final long serialVersionUID = 1L;

    public MailException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
