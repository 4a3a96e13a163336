package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Password reset through a real SMTP server (GreenMail on loopback): mail, one-time token, confirm. */
class PasswordResetMailTest {
  @RegisterExtension
  static GreenMailExtension smtp =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

  @TempDir Path dir;
  TestRelay relay;

  @BeforeEach
  void start() throws Exception {
    relay = TestRelay.start(dir, Map.of(
        "mail.mode", "smtp",
        "mail.smtpHost", "127.0.0.1",
        "mail.smtpPort", smtp.getSmtp().getPort(),
        "mail.from", "relay@parch.test",
        "publicUrl", "https://relay.parch.test",
        "limits.resetPerIpPerHour", 3));
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void resetByMailedOneTimeLink() throws Exception {
    relay.api.register("henry", "old password");
    String live = relay.api.login("henry", "old password").get("token").asText();

    Api.Res asked = relay.api.post("/api/v1/password-reset", Map.of("login", "henry@example.test"), null);
    assertThat(asked.status()).isEqualTo(200);
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    MimeMessage mail = smtp.getReceivedMessages()[0];
    assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("henry@example.test");
    assertThat(mail.getFrom()[0].toString()).isEqualTo("relay@parch.test");
    String text = GreenMailUtil.getBody(mail);
    Matcher m = Pattern.compile("https://relay\\.parch\\.test/reset\\?token=([A-Za-z0-9_-]+)").matcher(text);
    assertThat(m.find()).as("reset link in %s", text).isTrue();
    String resetToken = m.group(1);

    assertThat(relay.api.post("/api/v1/password-reset/confirm",
        Map.of("token", resetToken, "newPassword", "short"), null).code()).isEqualTo("bad_request");
    assertThat(relay.api.post("/api/v1/password-reset/confirm",
        Map.of("token", "forged-token", "newPassword", "new password"), null).code()).isEqualTo("unauthorized");
    assertThat(relay.api.post("/api/v1/password-reset/confirm",
        Map.of("token", resetToken, "newPassword", "new password"), null).status()).isEqualTo(204);
    // single use, and every session of the account ended
    assertThat(relay.api.post("/api/v1/password-reset/confirm",
        Map.of("token", resetToken, "newPassword", "another password"), null).code()).isEqualTo("unauthorized");
    assertThat(relay.api.get("/api/v1/account", live).status()).isEqualTo(401);
    assertThat(relay.api.post("/api/v1/sessions", Map.of("username", "henry", "password", "old password"), null).status())
        .isEqualTo(401);
    relay.api.login("henry", "new password");
    assertThat(relay.api.text("/reset?token=x")).contains("password-reset/confirm");
  }

  @Test
  void unknownAccountsGetTheSameAnswerAndNoMailAndRequestsAreRateLimited() throws Exception {
    relay.api.register("iris", "iris password");
    Api.Res unknown = relay.api.post("/api/v1/password-reset", Map.of("login", "nobody"), null);
    assertThat(unknown.status()).isEqualTo(200);
    Api.Res byName = relay.api.post("/api/v1/password-reset", Map.of("login", "IRIS"), null);
    assertThat(byName.body()).isEqualTo(unknown.body());
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    relay.api.post("/api/v1/password-reset", Map.of("login", "nobody"), null);
    Api.Res limited = relay.api.post("/api/v1/password-reset", Map.of("login", "iris"), null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("rate_limited");
    assertThat(smtp.getReceivedMessages()).hasSize(1);
  }
}
