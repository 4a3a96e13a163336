package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.RelayUrls;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * Sign in, create an account, or ask for a password reset. Every field is checked as the user
 * leaves it and again on submit, with the reason under the field; relay errors (wrong password,
 * name taken, relay unreachable) appear in a banner on the card. Enter submits.
 */
final class LoginView extends StackPane {
  enum Mode { SIGN_IN, REGISTER, FORGOT, RESET }

  static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.\\-]{3,32}");
  static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  static final int MIN_PASSWORD = 8;

  private final ParchClient client;
  private final Runnable onSignedIn;
  private final VBox card = new VBox(10);
  private final Label banner = new Label();
  private final ProgressIndicator spinner = new ProgressIndicator();
  private final List<Field> fields = new ArrayList<>();
  private Mode mode = Mode.SIGN_IN;
  private Button submit;
  private String relayText;
  private final CheckBox remember = new CheckBox("Keep me signed in");

  LoginView(ParchClient client, Runnable onSignedIn) {
    this.client = client;
    this.onSignedIn = onSignedIn;
    getStyleClass().add("login-backdrop");
    setId("login-view");
    String savedRelay = client.store().settings().relayUrl();
    relayText = savedRelay != null ? savedRelay : hostPort(client.config().defaultRelay());
    card.getStyleClass().add("auth-card");
    card.setMaxWidth(440);
    card.setMaxHeight(USE_PREF_SIZE);
    banner.getStyleClass().addAll("banner", "error");
    banner.setWrapText(true);
    banner.setMaxWidth(Double.MAX_VALUE);
    banner.setId("form-banner");
    spinner.setPrefSize(22, 22);
    remember.setSelected(true);
    remember.setId("remember");
    getChildren().add(card);
    StackPane.setAlignment(card, Pos.CENTER);
    show(Mode.SIGN_IN);
  }

  Mode mode() {
    return mode;
  }

  void show(Mode m) {
    mode = m;
    fields.clear();
    card.getChildren().clear();
    hideBanner();
    Label brand = Fx.label("PARCH", "brand");
    switch (m) {
      case SIGN_IN:
        card.getChildren().addAll(brand, Fx.label("Welcome back!", "title"),
            Fx.label("We're so excited to see you again!", "subtitle"), banner);
        Field user = text("username", "USERNAME", false, this::checkUsernameLoose);
        Field pass = text("password", "PASSWORD", true, v -> v.isEmpty() ? "Enter your password" : null);
        Button forgot = Fx.button("Forgot your password?", () -> show(Mode.FORGOT), "link");
        forgot.setId("to-forgot");
        card.getChildren().addAll(user.box, pass.box, forgot, remember);
        submit = Fx.button("Log In", () -> submit(), "primary");
        card.getChildren().addAll(wide(submit), switcher("Need an account?", "Register", Mode.REGISTER));
        break;
      case REGISTER:
        card.getChildren().addAll(brand, Fx.label("Create an account", "title"), banner);
        Field email = text("email", "EMAIL", false,
            v -> EMAIL.matcher(v).matches() ? null : "Enter a valid email address");
        Field display = text("displayName", "DISPLAY NAME", false,
            v -> v.isBlank() ? "Choose a display name" : v.length() > 64 ? "At most 64 characters" : null);
        Field u = text("username", "USERNAME", false, LoginView::checkUsername);
        Field p = text("password", "PASSWORD", true,
            v -> v.length() < MIN_PASSWORD ? "At least " + MIN_PASSWORD + " characters" : null);
        Field c = text("confirm", "CONFIRM PASSWORD", true,
            v -> v.equals(value("password")) ? null : "Passwords do not match");
        card.getChildren().addAll(email.box, display.box, u.box, p.box, c.box);
        submit = Fx.button("Continue", () -> submit(), "primary");
        card.getChildren().addAll(wide(submit), switcher("Already have an account?", "Log in", Mode.SIGN_IN));
        break;
      case FORGOT:
        card.getChildren().addAll(brand, Fx.label("Reset your password", "title"),
            Fx.label("Enter your username or email. We'll mail you a link.", "subtitle"), banner);
        Field login = text("login", "USERNAME OR EMAIL", false,
            v -> v.isBlank() ? "Enter your username or email" : null);
        card.getChildren().add(login.box);
        submit = Fx.button("Send reset link", () -> submit(), "primary");
        Button haveToken = Fx.button("I have a reset code", () -> show(Mode.RESET), "link");
        haveToken.setId("to-reset");
        card.getChildren().addAll(wide(submit), haveToken, switcher("Remembered it?", "Log in", Mode.SIGN_IN));
        break;
      case RESET:
        card.getChildren().addAll(brand, Fx.label("Choose a new password", "title"),
            Fx.label("Paste the code from the reset mail.", "subtitle"), banner);
        Field code = text("resetToken", "RESET CODE", false, v -> v.isBlank() ? "Paste the code" : null);
        Field np = text("password", "NEW PASSWORD", true,
            v -> v.length() < MIN_PASSWORD ? "At least " + MIN_PASSWORD + " characters" : null);
        card.getChildren().addAll(code.box, np.box);
        submit = Fx.button("Set password", () -> submit(), "primary");
        card.getChildren().addAll(wide(submit), switcher("Back to", "Log in", Mode.SIGN_IN));
        break;
      default:
        throw new IllegalStateException(m.name());
    }
    submit.setId("submit");
    card.getChildren().add(relayRow());
    if (!fields.isEmpty()) {
      fields.get(0).input.requestFocus();
    }
  }

  private Node relayRow() {
    Label l = Fx.label("Relay: " + relayText, "muted", "small");
    l.setId("relay-label");
    Button change = Fx.button("change", () -> {
      Field relay = text("relay", "RELAY ADDRESS", false, LoginView::checkRelay);
      relay.input.setText(relayText);
      int at = card.getChildren().size() - 1;
      card.getChildren().set(at, relay.box);
      relay.input.requestFocus();
    }, "link", "small");
    change.setId("relay-change");
    HBox row = new HBox(6, l, change);
    row.setAlignment(Pos.CENTER_LEFT);
    return row;
  }

  private static String checkRelay(String v) {
    try {
      RelayUrls.parse(v);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private String checkUsernameLoose(String v) {
    return v.isBlank() ? "Enter your username" : null;
  }

  static String checkUsername(String v) {
    if (USERNAME.matcher(v).matches()) {
      return null;
    }
    return v.length() < 3 || v.length() > 32
        ? "3 to 32 characters"
        : "Only letters, digits, '.', '_' and '-'";
  }

  private HBox switcher(String text, String link, Mode target) {
    Button b = Fx.button(link, () -> show(target), "link");
    b.setId("to-" + target.name().toLowerCase().replace('_', '-'));
    HBox row = new HBox(4, Fx.label(text, "muted", "small"), b);
    row.setAlignment(Pos.CENTER_LEFT);
    return row;
  }

  private static Node wide(Button b) {
    b.setMaxWidth(Double.MAX_VALUE);
    b.setDefaultButton(false);
    return b;
  }

  private Field text(String id, String label, boolean secret, java.util.function.Function<String, String> check) {
    TextInputControl input = secret ? new PasswordField() : new TextField();
    input.setId(id);
    Label err = Fx.label("", "field-error");
    err.setId(id + "-error");
    err.setManaged(false);
    err.setVisible(false);
    VBox box = new VBox(4, Fx.label(label, "field-label"), input, err);
    Field f = new Field(id, input, err, box, check);
    input.focusedProperty().addListener((o, was, now) -> {
      if (!now && !input.getText().isEmpty()) {
        f.validate();
      }
    });
    input.textProperty().addListener((o, a, b) -> {
      if (err.isVisible()) {
        f.validate();
      }
    });
    input.setOnKeyPressed(e -> {
      if (e.getCode() == KeyCode.ENTER) {
        e.consume();
        submit();
      }
    });
    fields.add(f);
    return f;
  }

  private String value(String id) {
    for (Field f : fields) {
      if (f.id.equals(id)) {
        return f.input.getText();
      }
    }
    return "";
  }

  void submit() {
    boolean ok = true;
    for (Field f : fields) {
      ok &= f.validate();
    }
    if (!ok) {
      return;
    }
    URI relay;
    String typedRelay = fields.stream().anyMatch(f -> f.id.equals("relay")) ? value("relay") : relayText;
    try {
      relay = RelayUrls.parse(typedRelay);
    } catch (IllegalArgumentException e) {
      showBanner(e.getMessage());
      return;
    }
    relayText = typedRelay.strip();
    busy(true);
    switch (mode) {
      case SIGN_IN:
        Fx.then(client.login(relay, value("username").strip(), value("password"), remember.isSelected()),
            u -> {
              busy(false);
              onSignedIn.run();
            }, this::failed);
        break;
      case REGISTER:
        Fx.then(client.register(relay, value("username").strip(), value("displayName").strip(),
                value("email").strip(), value("password")),
            u -> {
              busy(false);
              onSignedIn.run();
            }, this::failed);
        break;
      case FORGOT:
        Fx.then(client.requestPasswordReset(relay, value("login").strip()), v -> {
          busy(false);
          show(Mode.RESET);
          showInfo("If that account exists, a reset mail is on its way.");
        }, this::failed);
        break;
      case RESET:
        Fx.then(client.confirmPasswordReset(relay, value("resetToken").strip(), value("password")), v -> {
          busy(false);
          show(Mode.SIGN_IN);
          showInfo("Password changed. Log in with the new one.");
        }, this::failed);
        break;
      default:
        busy(false);
    }
  }

  private void failed(ClientException e) {
    busy(false);
    showBanner(e.getMessage());
  }

  private void busy(boolean on) {
    submit.setDisable(on);
    submit.setGraphic(on ? spinner : null);
    fields.forEach(f -> f.input.setDisable(on));
  }

  void showBanner(String text) {
    banner.getStyleClass().setAll("label", "banner", "error");
    banner.setText(text);
    banner.setManaged(true);
    banner.setVisible(true);
  }

  private void showInfo(String text) {
    showBanner(text);
    banner.getStyleClass().setAll("label", "banner", "success");
  }

  private void hideBanner() {
    banner.setManaged(false);
    banner.setVisible(false);
  }

  private static String hostPort(URI u) {
    return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
  }

  private static final class Field {
    final String id;
    final TextInputControl input;
    final Label error;
    final VBox box;
    final java.util.function.Function<String, String> check;

    Field(String id, TextInputControl input, Label error, VBox box,
        java.util.function.Function<String, String> check) {
      this.id = id;
      this.input = input;
      this.error = error;
      this.box = box;
      this.check = check;
    }

    boolean validate() {
      String problem = check.apply(input.getText());
      error.setText(problem == null ? "" : problem);
      error.setVisible(problem != null);
      error.setManaged(problem != null);
      if (problem == null) {
        input.getStyleClass().remove("field-invalid");
      } else if (!input.getStyleClass().contains("field-invalid")) {
        input.getStyleClass().add("field-invalid");
      }
      return problem == null;
    }
  }
}
