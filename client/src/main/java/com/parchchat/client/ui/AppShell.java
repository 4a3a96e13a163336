package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.LocalStore;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.Subscription;
import com.parchchat.protocol.signal.ErrorCode;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * Root of the window: shows the login screen or the main screen depending on whether an account
 * is signed in, owns the theme, and hosts modal dialogs in an overlay layer (Escape closes them).
 */
public final class AppShell extends StackPane {
  private final ParchClient client;
  private final Consumer<String> openUrl;
  private final StackPane content = new StackPane();
  private final StackPane overlay = new StackPane();
  private Scene scene;
  private Theme theme;
  private MainView main;
  private LoginView login;
  private Subscription accountSub;

  public AppShell(ParchClient client, Consumer<String> openUrl) {
    this.client = client;
    this.openUrl = openUrl;
    this.theme = Theme.of(client.store().settings().theme());
    setId("app-shell");
    overlay.getStyleClass().add("overlay");
    overlay.setVisible(false);
    overlay.setOnMouseClicked(e -> {
      if (e.getTarget() == overlay) {
        closeDialog();
      }
    });
    getChildren().addAll(content, overlay);
  }

  /** Installs theme and global keys on the scene that shows this shell. */
  public void attach(Scene s) {
    this.scene = s;
    theme.apply(s);
    s.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
      if (e.getCode() == KeyCode.ESCAPE && overlay.isVisible()) {
        closeDialog();
        e.consume();
      }
    });
  }

  /** Resumes a remembered session, or shows the login screen. */
  public void startup() {
    accountSub = client.account().listen(a -> Fx.run(() -> {
      if (a == null && main != null) {
        showLogin(null);
      }
    }));
    Optional<LocalStore.SavedSession> saved = client.rememberedSession();
    if (saved.isEmpty()) {
      showLogin(null);
      return;
    }
    ProgressIndicator p = new ProgressIndicator();
    p.setMaxSize(48, 48);
    VBox box = new VBox(16, p, Fx.label("Signing you in as " + saved.get().username() + "…", "subtitle"));
    box.setAlignment(Pos.CENTER);
    box.getStyleClass().add("login-backdrop");
    box.setId("resume-view");
    content.getChildren().setAll(box);
    Fx.then(client.resume(saved.get()), u -> showMain(), e -> showLogin(resumeError(e)));
  }

  private static String resumeError(ClientException e) {
    return e.code() == ErrorCode.UNAUTHORIZED ? "Your session has ended. Please log in again." : e.getMessage();
  }

  void showLogin(String message) {
    if (main != null) {
      main.close();
      main = null;
    }
    closeDialog();
    login = new LoginView(client, this::showMain);
    content.getChildren().setAll(login);
    if (message != null) {
      login.showBanner(message);
    }
  }

  void showMain() {
    if (main != null) {
      return;
    }
    login = null;
    main = new MainView(client, this, openUrl);
    content.getChildren().setAll(main);
  }

  public MainView main() {
    return main;
  }

  ParchClient client() {
    return client;
  }

  Theme theme() {
    return theme;
  }

  void setTheme(Theme t) {
    theme = t;
    if (scene != null) {
      t.apply(scene);
    }
    LocalStore.Settings s = client.store().settings();
    client.store().saveSettings(new LocalStore.Settings(t.wireName(), s.relayUrl()));
  }

  void showDialog(Node card) {
    StackPane.setAlignment(card, Pos.CENTER);
    overlay.getChildren().setAll(card);
    overlay.setVisible(true);
    card.requestFocus();
  }

  void closeDialog() {
    overlay.getChildren().clear();
    overlay.setVisible(false);
  }

  boolean dialogOpen() {
    return overlay.isVisible();
  }

  public void close() {
    if (accountSub != null) {
      accountSub.close();
    }
    if (main != null) {
      main.close();
    }
  }
}
