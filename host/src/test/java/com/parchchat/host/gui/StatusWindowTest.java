package com.parchchat.host.gui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.Clipboard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The status window on headless JavaFX (Monocle): content, refresh, copy button, log tail. */
class StatusWindowTest {
  @BeforeAll
  static void startFx() throws Exception {
    CompletableFuture<Void> started = new CompletableFuture<>();
    try {
      Platform.startup(() -> started.complete(null));
    } catch (IllegalStateException alreadyRunning) {
      started.complete(null);
    }
    started.get(30, TimeUnit.SECONDS);
  }

  private static <T> T onFx(Supplier<T> s) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Platform.runLater(() -> {
      try {
        f.complete(s.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(30, TimeUnit.SECONDS);
  }

  @Test
  void showsTheKeyStatusUsersAndLogAndCopiesTheKey() throws Exception {
    LogTail tail = LogTail.install(5);
    try {
      for (int i = 0; i < 8; i++) {
        LoggerFactory.getLogger("com.parchchat.host.Test").info("line {}", i);
      }
      List<String> users = new CopyOnWriteArrayList<>(List.of("Ann (@ann)"));
      String[] status = {"connecting"};
      StatusModel model = new StatusModel() {
        @Override
        public String name() {
          return "Club";
        }

        @Override
        public String hostKey() {
          return "h_KEY123";
        }

        @Override
        public String relayStatus() {
          return status[0];
        }

        @Override
        public List<String> onlineUsers() {
          return users;
        }

        @Override
        public List<String> logLines() {
          return tail.lines();
        }
      };
      StatusWindow w = onFx(() -> new StatusWindow(model));
      var root = w.scene().getRoot();
      assertThat(((TextField) root.lookup("#hostKey")).getText()).isEqualTo("h_KEY123");
      assertThat(((Label) root.lookup("#relay")).getText()).isEqualTo("Relay: connecting");
      @SuppressWarnings("unchecked")
      ListView<String> usersView = (ListView<String>) root.lookup("#users");
      assertThat(usersView.getItems()).containsExactly("Ann (@ann)");
      String logText = ((TextArea) root.lookup("#log")).getText();
      assertThat(logText).contains("line 7").doesNotContain("line 2");

      status[0] = "online";
      users.add("Ben (@ben)");
      onFx(() -> {
        w.update();
        return null;
      });
      assertThat(((Label) root.lookup("#relay")).getText()).isEqualTo("Relay: online");
      assertThat(usersView.getItems()).containsExactly("Ann (@ann)", "Ben (@ben)");

      String copied = onFx(() -> {
        ((Button) root.lookup("#copy")).fire();
        return Clipboard.getSystemClipboard().getString();
      });
      assertThat(copied).isEqualTo("h_KEY123");
    } finally {
      tail.uninstall();
    }
  }
}
