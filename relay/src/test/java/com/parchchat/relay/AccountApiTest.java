package com.parchchat.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accounts API over real HTTP, with the OWASP Argon2id parameters and a real SQLite file. */
class AccountApiTest {
  @TempDir Path dir;
  TestRelay relay;
  Api api;

  @BeforeEach
  void start() throws Exception {
    relay = TestRelay.start(dir, Map.of("accounts.argon2MemoryKib", 19456, "accounts.argon2Iterations", 2,
        "limits.maxSessionsPerUser", 3));
    api = relay.api;
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void registerLoginListAndRevokeSessions() {
    JsonNode user = api.register("Alice", "correct horse");
    assertThat(user.get("userId").asText()).startsWith("u_");
    assertThat(user.get("displayName").asText()).isEqualTo("The Alice");

    JsonNode login = api.login("alice", "correct horse");
    String token = login.get("token").asText();
    assertThat(login.get("user").get("username").asText()).isEqualTo("Alice");
    assertThat(token).hasSizeGreaterThanOrEqualTo(43);

    Api.Res me = api.get("/api/v1/account", token);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.body().get("email").asText()).isEqualTo("Alice@example.test");

    String second = api.login("ALICE", "correct horse").get("token").asText();
    JsonNode sessions = api.get("/api/v1/sessions", token).body().get("sessions");
    assertThat(sessions).hasSize(2);
    String secondId = null;
    for (JsonNode s : sessions) {
      assertThat(s.get("userAgent").asText()).isEqualTo("relay-test");
      if (!s.get("current").asBoolean()) {
        secondId = s.get("sessionId").asText();
      }
    }
    assertThat(api.call("DELETE", "/api/v1/sessions/" + secondId, null, token).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/account", second).code()).isEqualTo("unauthorized");
    assertThat(api.call("DELETE", "/api/v1/sessions/" + secondId, null, token).status()).isEqualTo(404);

    assertThat(api.post("/api/v1/sessions/logout", null, token).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/account", token).status()).isEqualTo(401);
  }

  @Test
  void tokensAreStoredOnlyAsHashes() throws Exception {
    api.register("bob", "correct horse");
    String token = api.login("bob", "correct horse").get("token").asText();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT token_hash FROM sessions UNION ALL SELECT password_hash FROM users")) {
      while (rs.next()) {
        assertThat(rs.getString(1)).doesNotContain(token).doesNotContain("correct horse");
      }
    }
  }

  @Test
  void usernamesAreUniqueIgnoringCaseAndInputIsValidated() {
    api.register("Carol", "correct horse");
    Api.Res dup = api.post("/api/v1/accounts",
        Map.of("username", "carol", "email", "c@example.test", "password", "correct horse"), null);
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.code()).isEqualTo("conflict");

    assertThat(api.post("/api/v1/accounts",
        Map.of("username", "dave", "email", "d@example.test", "password", "short"), null).code()).isEqualTo("bad_request");
    assertThat(api.post("/api/v1/accounts",
        Map.of("username", "x", "email", "d@example.test", "password", "long enough"), null).code()).isEqualTo("bad_request");
    assertThat(api.post("/api/v1/accounts",
        Map.of("username", "dave", "email", "not-an-email", "password", "long enough"), null).code()).isEqualTo("bad_request");
    assertThat(api.post("/api/v1/accounts", "{not json", null).code()).isEqualTo("bad_request");
    assertThat(api.post("/api/v1/accounts", "[1,2]", null).code()).isEqualTo("bad_request");
    assertThat(api.post("/api/v1/accounts", Map.of("username", 5), null).code()).isEqualTo("bad_request");
    assertThat(api.get("/api/v1/nope", null).status()).isEqualTo(404);
    assertThat(api.post("/api/v1/sessions", Map.of("username", "Carol", "password", "wrong password"), null).status())
        .isEqualTo(401);
    assertThat(api.post("/api/v1/sessions", Map.of("username", "nobody", "password", "wrong password"), null).code())
        .isEqualTo("unauthorized");
  }

  @Test
  void changingThePasswordRevokesOtherSessions() {
    api.register("erin", "first password");
    String keep = api.login("erin", "first password").get("token").asText();
    String other = api.login("erin", "first password").get("token").asText();

    Api.Res wrong = api.post("/api/v1/account/password",
        Map.of("currentPassword", "not it at all", "newPassword", "second password"), keep);
    assertThat(wrong.status()).isEqualTo(401);

    Api.Res ok = api.post("/api/v1/account/password",
        Map.of("currentPassword", "first password", "newPassword", "second password"), keep);
    assertThat(ok.status()).isEqualTo(204);
    assertThat(api.get("/api/v1/account", keep).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/account", other).status()).isEqualTo(401);
    assertThat(api.post("/api/v1/sessions", Map.of("username", "erin", "password", "first password"), null).status())
        .isEqualTo(401);
    api.login("erin", "second password");
  }

  @Test
  void displayNameChangeAndAccountDeletion() {
    api.register("frank", "frank password");
    String token = api.login("frank", "frank password").get("token").asText();
    Api.Res renamed = api.post("/api/v1/account/display-name", Map.of("displayName", "  Frank F.  "), token);
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.body().get("displayName").asText()).isEqualTo("Frank F.");
    assertThat(api.post("/api/v1/account/display-name", Map.of("displayName", "a\u0007b"), token).code())
        .isEqualTo("bad_request");

    assertThat(api.post("/api/v1/account/delete", Map.of("password", "not the password"), token).status()).isEqualTo(401);
    assertThat(api.post("/api/v1/account/delete", Map.of("password", "frank password"), token).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/account", token).status()).isEqualTo(401);
    api.register("frank", "a new frank password");
  }

  @Test
  void sessionsPerUserAreCappedOldestFirst() {
    api.register("gina", "gina password");
    String first = api.login("gina", "gina password").get("token").asText();
    for (int i = 0; i < 3; i++) {
      api.login("gina", "gina password");
    }
    assertThat(api.get("/api/v1/account", first).status()).isEqualTo(401);
  }
}
