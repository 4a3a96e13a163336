package com.parchchat.client.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.ParchClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The login screen without a server: field validation, mode switches, an unreachable relay. */
@ExtendWith(ApplicationExtension.class)
class LoginViewTest {
  @TempDir Path dir;
  private ParchClient client;
  private AppShell shell;
  private Scene scene;

  @Start
  void start(Stage stage) throws IOException {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    client = new ParchClient(ClientConfig.defaults(dir)
        .withDefaultRelay(URI.create("http://127.0.0.1:" + deadPort)));
    shell = new AppShell(client, url -> {});
    scene = new Scene(shell, 1100, 720);
    shell.attach(scene);
    stage.setScene(scene);
    stage.show();
    shell.startup();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void emptySignInShowsFieldErrors(FxRobot robot) {
    robot.clickOn("#submit");
    assertThat(visibleText(robot, "#username-error")).isEqualTo("Enter your username");
    assertThat(visibleText(robot, "#password-error")).isEqualTo("Enter your password");
    robot.interact(() -> Screenshots.save(scene, "login-errors"));
  }

  @Test
  void registerValidatesEveryField(FxRobot robot) {
    robot.clickOn("#to-register");
    robot.clickOn("#email").write("not-an-email");
    robot.clickOn("#username").write("a b");
    robot.clickOn("#password").write("short");
    robot.clickOn("#confirm").write("different");
    robot.clickOn("#submit");
    assertThat(visibleText(robot, "#email-error")).isEqualTo("Enter a valid email address");
    assertThat(visibleText(robot, "#displayName-error")).isEqualTo("Choose a display name");
    assertThat(visibleText(robot, "#username-error")).isEqualTo("Only letters, digits, '.', '_' and '-'");
    assertThat(visibleText(robot, "#password-error")).isEqualTo("At least 8 characters");
    assertThat(visibleText(robot, "#confirm-error")).isEqualTo("Passwords do not match");
    // fixing a field clears its error as you type
    robot.doubleClickOn("#email").eraseText(20).write("ann@example.org");
    assertThat(robot.lookup("#email-error").queryAs(Label.class).isVisible()).isFalse();
  }

  @Test
  void unreachableRelayShowsReadableBanner(FxRobot robot) {
    robot.clickOn("#username").write("ann");
    robot.clickOn("#password").write("correct horse");
    robot.type(javafx.scene.input.KeyCode.ENTER);
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      Node n = robot.lookup("#form-banner").query();
      return n.isVisible();
    });
    assertThat(robot.lookup("#form-banner").queryAs(Label.class).getText())
        .startsWith("Cannot reach the relay at 127.0.0.1:");
    assertThat(client.account().get()).isNull();
    robot.interact(() -> Screenshots.save(scene, "login"));
  }

  @Test
  void forgotPasswordFlowNeedsALogin(FxRobot robot) {
    robot.clickOn("#to-forgot");
    robot.clickOn("#submit");
    assertThat(visibleText(robot, "#login-error")).isEqualTo("Enter your username or email");
  }

  private static String visibleText(FxRobot robot, String query) {
    WaitForAsyncUtils.waitForFxEvents();
    Label l = robot.lookup(query).queryAs(Label.class);
    assertThat(l.isVisible()).as(query + " visible").isTrue();
    return l.getText();
  }
}
