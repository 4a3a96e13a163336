package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostKeys;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Invite;
import com.parchchat.protocol.signal.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * The modal cards: add host, create space/channel, rename, invites (by username, by code, inbox),
 * join with a code, settings and confirmations. A card shows a spinner while its request runs and
 * the host's error text if it fails; it closes only on success. Enter submits, Esc cancels.
 */
final class Dialogs {
  private Dialogs() {}

  /** One text input of a form. */
  private record Input(String id, String label, String prompt, String initial, boolean secret) {
    static Input of(String id, String label, String prompt) {
      return new Input(id, label, prompt, "", false);
    }
  }

  private static VBox card(String title, String subtitle) {
    VBox card = new VBox(12);
    card.getStyleClass().add("dialog-card");
    card.setMaxHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
    card.getChildren().add(Fx.label(title, "title"));
    if (subtitle != null) {
      Label s = Fx.label(subtitle, "subtitle");
      s.setWrapText(true);
      card.getChildren().add(s);
    }
    return card;
  }

  /**
   * A form card; {@code submit} gets the trimmed values by id and returns the work, or throws
   * IllegalArgumentException / ClientException for a problem to show.
   */
  private static void form(MainView main, String id, String title, String subtitle, List<Input> inputs,
      List<Node> extra, String action, Function<Map<String, String>, CompletableFuture<?>> submit,
      Consumer<Object> done) {
    VBox card = card(title, subtitle);
    card.setId(id);
    Map<String, TextInputControl> fields = new LinkedHashMap<>();
    for (Input in : inputs) {
      TextInputControl f = in.secret() ? new PasswordField() : new TextField(in.initial());
      f.setId(in.id());
      f.setPromptText(in.prompt());
      fields.put(in.id(), f);
      card.getChildren().add(new VBox(4, Fx.label(in.label(), "field-label"), f));
    }
    card.getChildren().addAll(extra);
    Label error = Fx.label("", "field-error");
    error.setId("dialog-error");
    error.setWrapText(true);
    error.setVisible(false);
    error.setManaged(false);
    ProgressIndicator spin = new ProgressIndicator();
    spin.setPrefSize(18, 18);
    Button ok = Fx.button(action, () -> { }, "primary");
    ok.setId("dialog-ok");
    Button cancel = Fx.button("Cancel", () -> main.shell().closeDialog(), "link");
    cancel.setId("dialog-cancel");
    HBox footer = new HBox(12, cancel, ok);
    footer.getStyleClass().add("dialog-footer");
    card.getChildren().addAll(error, footer);
    Runnable run = () -> {
      Map<String, String> values = new LinkedHashMap<>();
      fields.forEach((k, f) -> values.put(k, f.getText() == null ? "" : f.getText().strip()));
      CompletableFuture<?> work;
      try {
        work = submit.apply(values);
      } catch (IllegalArgumentException | ClientException e) {
        error.setText(e.getMessage());
        error.setVisible(true);
        error.setManaged(true);
        return;
      }
      ok.setDisable(true);
      ok.setGraphic(spin);
      Fx.then(work.thenApply(x -> (Object) x), result -> {
        main.shell().closeDialog();
        if (done != null) {
          done.accept(result);
        }
      }, e -> {
        ok.setDisable(false);
        ok.setGraphic(null);
        error.setText(e.getMessage());
        error.setVisible(true);
        error.setManaged(true);
      });
    };
    ok.setOnAction(e -> run.run());
    fields.values().forEach(f -> f.setOnKeyPressed(e -> {
      if (e.getCode() == KeyCode.ENTER) {
        e.consume();
        run.run();
      }
    }));
    main.shell().showDialog(card);
    if (!fields.isEmpty()) {
      fields.values().iterator().next().requestFocus();
    }
  }

  private static HostSession host(MainView main) {
    HostSession h = main.host.get();
    if (h == null) {
      throw new ClientException(ErrorCode.BAD_REQUEST, "Add a host first");
    }
    return h;
  }

  private static String required(String v, String what) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (v.length() > 100) {
      throw new IllegalArgumentException(what + " must be at most 100 characters");
    }
    return v;
  }

  static void addHost(MainView main) {
    form(main, "add-host-dialog", "Add a host",
        "Paste the Host Key that the host's owner gave you. It is printed when the host starts.",
        List.of(Input.of("host-key", "HOST KEY", "e.g. h_3x9k…")), List.of(), "Add host",
        v -> {
          String key = HostKeys.normalize(v.get("host-key"));
          HostSession h = main.client().addHost(key);
          return CompletableFuture.completedFuture(h);
        },
        h -> main.host.set((HostSession) h));
  }

  static void createSpace(MainView main) {
    form(main, "create-space-dialog", "Create a space",
        "A space is your community on this host: channels, members and invites.",
        List.of(Input.of("space-name", "SPACE NAME", "My space")), List.of(), "Create",
        v -> host(main).createSpace(required(v.get("space-name"), "Name")),
        s -> main.selectSpace((SpaceState) s));
  }

  static void renameSpace(MainView main, SpaceState s) {
    form(main, "rename-space-dialog", "Rename space", null,
        List.of(new Input("space-name", "SPACE NAME", "", s.space().get().name(), false)), List.of(), "Save",
        v -> host(main).renameSpace(s.id(), required(v.get("space-name"), "Name")), null);
  }

  static void createChannel(MainView main, SpaceState s) {
    ToggleGroup kind = new ToggleGroup();
    RadioButton text = new RadioButton("Text \u2014 messages, images, links");
    text.setId("kind-text");
    text.setToggleGroup(kind);
    text.setSelected(true);
    RadioButton voice = new RadioButton("Voice \u2014 talk together");
    voice.setId("kind-voice");
    voice.setToggleGroup(kind);
    VBox kinds = new VBox(6, Fx.label("CHANNEL TYPE", "field-label"), text, voice);
    form(main, "create-channel-dialog", "Create channel", "in " + s.space().get().name(),
        List.of(Input.of("channel-name", "CHANNEL NAME", "new-channel")), List.of(kinds), "Create channel",
        v -> host(main).createChannel(s.id(), required(v.get("channel-name"), "Name"),
            voice.isSelected() ? ChannelKind.VOICE : ChannelKind.TEXT),
        c -> {
          if (((Channel) c).kind() == ChannelKind.TEXT) {
            main.selectChannel((Channel) c);
          }
        });
  }

  static void renameChannel(MainView main, Channel c) {
    form(main, "rename-channel-dialog", "Rename channel", null,
        List.of(new Input("channel-name", "CHANNEL NAME", "", c.name(), false)), List.of(), "Save",
        v -> host(main).renameChannel(c.id(), required(v.get("channel-name"), "Name")), null);
  }

  static void redeemCode(MainView main) {
    form(main, "join-dialog", "Join a space", "Enter an invite code you were given.",
        List.of(Input.of("invite-code", "INVITE CODE", "e.g. 7fK2pQ")), List.of(), "Join",
        v -> host(main).redeemCode(required(v.get("invite-code"), "Code")),
        s -> main.selectSpace((SpaceState) s));
  }

  /** Invite by username, or create a shareable code. */
  static void invite(MainView main, SpaceState s) {
    HostSession h = host(main);
    VBox card = card("Invite friends to " + s.space().get().name(), null);
    card.setId("invite-dialog");

    TextField username = new TextField();
    username.setId("invite-username");
    username.setPromptText("username");
    Label userResult = Fx.label("", "muted");
    userResult.setId("invite-user-result");
    userResult.setWrapText(true);
    Button send = Fx.button("Send invite", () -> { }, "primary");
    send.setId("invite-send");
    Runnable doSend = () -> {
      String u = username.getText().strip().replaceFirst("^@", "");
      if (u.isEmpty()) {
        userResult.setText("Enter a username");
        return;
      }
      send.setDisable(true);
      Fx.then(h.inviteUser(s.id(), u), inv -> {
        send.setDisable(false);
        userResult.getStyleClass().setAll("label", "muted");
        userResult.setText("Invite sent to " + inv.invitee().displayName() + " (@" + inv.invitee().username() + ")");
        username.clear();
      }, e -> {
        send.setDisable(false);
        userResult.getStyleClass().setAll("label", "field-error");
        userResult.setText(e.getMessage());
      });
    };
    send.setOnAction(e -> doSend.run());
    username.setOnAction(e -> doSend.run());
    HBox userRow = new HBox(8, username, send);
    userRow.setAlignment(Pos.CENTER_LEFT);
    VBox byUser = new VBox(8, Fx.label("INVITE BY USERNAME", "field-label"), userRow, userResult);

    ComboBox<String> uses = new ComboBox<>();
    uses.getItems().addAll("No limit", "1 use", "5 uses", "25 uses");
    uses.getSelectionModel().select(0);
    uses.setId("code-uses");
    ComboBox<String> expiry = new ComboBox<>();
    expiry.getItems().addAll("Never expires", "1 hour", "1 day", "7 days");
    expiry.getSelectionModel().select(2);
    expiry.setId("code-expiry");
    Label code = Fx.label("", "code-box");
    code.setId("invite-code-value");
    code.setVisible(false);
    code.setManaged(false);
    Button copy = Fx.button("Copy", () -> copy(code.getText()), "button");
    copy.setVisible(false);
    copy.setManaged(false);
    Label codeError = Fx.label("", "field-error");
    Button create = Fx.button("Create code", () -> { }, "primary");
    create.setId("invite-create-code");
    create.setOnAction(e -> {
      Integer max = new Integer[] {null, 1, 5, 25}[uses.getSelectionModel().getSelectedIndex()];
      Long secs = new Long[] {null, 3600L, 86400L, 604800L}[expiry.getSelectionModel().getSelectedIndex()];
      create.setDisable(true);
      Fx.then(h.createInviteCode(s.id(), max, secs), c -> {
        create.setDisable(false);
        code.setText(c.code());
        code.setVisible(true);
        code.setManaged(true);
        copy.setVisible(true);
        copy.setManaged(true);
        codeError.setText("");
      }, err -> {
        create.setDisable(false);
        codeError.setText(err.getMessage());
      });
    });
    HBox opts = new HBox(8, uses, expiry, create);
    opts.setAlignment(Pos.CENTER_LEFT);
    HBox codeRow = new HBox(8, code, copy);
    codeRow.setAlignment(Pos.CENTER_LEFT);
    VBox byCode = new VBox(8, Fx.label("OR SHARE AN INVITE CODE", "field-label"), opts, codeRow, codeError);

    Button done = Fx.button("Done", () -> main.shell().closeDialog(), "button");
    done.setId("dialog-cancel");
    HBox footer = new HBox(done);
    footer.getStyleClass().add("dialog-footer");
    card.getChildren().addAll(byUser, byCode, footer);
    main.shell().showDialog(card);
    username.requestFocus();
  }

  /** Pending invites with accept / decline. */
  static void invitesInbox(MainView main) {
    HostSession h = host(main);
    VBox card = card("Pending invites", null);
    card.setId("invites-dialog");
    card.setMinWidth(560);
    card.setMaxWidth(640);
    VBox rows = new VBox(8);
    Runnable fill = () -> {
      rows.getChildren().clear();
      List<Invite> list = h.invites().get();
      if (list.isEmpty()) {
        rows.getChildren().add(Fx.label("No pending invites.", "muted"));
      }
      for (Invite inv : list) {
        Label what = Fx.label(inv.inviter().displayName() + " invited you to", "muted");
        Label space = Fx.label(inv.spaceName(), "strong");
        Button accept = Fx.button("Accept", () -> { }, "primary");
        accept.setId(Fx.cssId("accept-", inv.spaceName()));
        Button decline = Fx.button("Decline", () -> { }, "button");
        decline.setId(Fx.cssId("decline-", inv.spaceName()));
        accept.setOnAction(e -> {
          accept.setDisable(true);
          Fx.then(h.acceptInvite(inv.id()), s -> {
            main.shell().closeDialog();
            main.selectSpace(s);
            main.notice("You joined " + s.space().get().name());
          }, err -> {
            accept.setDisable(false);
            main.error("Accepting the invite failed", err);
          });
        });
        decline.setOnAction(e -> Fx.then(h.declineInvite(inv.id()), v -> {
          if (h.invites().get().isEmpty()) {
            main.shell().closeDialog();
          }
        }, err -> main.error("Declining failed", err)));
        accept.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        decline.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        VBox text = new VBox(0, what, space);
        HBox row = new HBox(10, Avatars.avatar(inv.inviter().id(), inv.inviter().displayName(), true),
            text, Fx.grow(), decline, accept);
        row.getStyleClass().add("invite-item");
        rows.getChildren().add(row);
      }
    };
    fill.run();
    com.parchchat.client.core.Subscription sub = h.invites().listen(l -> Fx.run(fill));
    Button close = Fx.button("Close", () -> main.shell().closeDialog(), "button");
    close.setId("dialog-cancel");
    HBox footer = new HBox(close);
    footer.getStyleClass().add("dialog-footer");
    card.getChildren().addAll(rows, footer);
    card.sceneProperty().addListener((o, a, b) -> {
      if (b == null) {
        sub.close();
      }
    });
    main.shell().showDialog(card);
  }

  static void settings(MainView main) {
    VBox card = card("Settings", null);
    card.setId("settings-dialog");
    card.setMinWidth(440);
    TabPane tabs = new TabPane();
    tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);

    // profile
    TextField display = new TextField(main.client().account().get() == null ? ""
        : main.client().account().get().user().displayName());
    display.setId("settings-display-name");
    Label profileResult = Fx.label("", "muted");
    Button saveName = Fx.button("Save", () -> { }, "primary");
    saveName.setId("settings-save-name");
    saveName.setOnAction(e -> {
      String n = display.getText().strip();
      if (n.isEmpty() || n.length() > 64) {
        profileResult.setText("Display name must be 1-64 characters");
        return;
      }
      Fx.then(main.client().changeDisplayName(n), u -> profileResult.setText("Saved."),
          err -> profileResult.setText(err.getMessage()));
    });
    VBox profile = new VBox(8, Fx.label("DISPLAY NAME", "field-label"), new HBox(8, display, saveName), profileResult);

    // password
    PasswordField current = new PasswordField();
    current.setId("settings-current-password");
    PasswordField next = new PasswordField();
    next.setId("settings-new-password");
    PasswordField confirm = new PasswordField();
    confirm.setId("settings-confirm-password");
    Label pwResult = Fx.label("", "muted");
    pwResult.setWrapText(true);
    Button change = Fx.button("Change password", () -> { }, "primary");
    change.setOnAction(e -> {
      if (next.getText().length() < LoginView.MIN_PASSWORD) {
        pwResult.setText("The new password needs at least " + LoginView.MIN_PASSWORD + " characters");
        return;
      }
      if (!next.getText().equals(confirm.getText())) {
        pwResult.setText("Passwords do not match");
        return;
      }
      Fx.then(main.client().changePassword(current.getText(), next.getText()), v -> {
        pwResult.setText("Password changed. Other sessions were signed out.");
        current.clear();
        next.clear();
        confirm.clear();
      }, err -> pwResult.setText(err.getMessage()));
    });
    VBox password = new VBox(8, Fx.label("CURRENT PASSWORD", "field-label"), current,
        Fx.label("NEW PASSWORD", "field-label"), next, Fx.label("CONFIRM NEW PASSWORD", "field-label"), confirm,
        change, pwResult);

    // appearance
    ToggleGroup theme = new ToggleGroup();
    RadioButton dark = new RadioButton("Dark");
    dark.setId("theme-dark");
    dark.setToggleGroup(theme);
    RadioButton light = new RadioButton("Light");
    light.setId("theme-light");
    light.setToggleGroup(theme);
    (main.shell().theme() == Theme.LIGHT ? light : dark).setSelected(true);
    theme.selectedToggleProperty().addListener((o, a, b) ->
        main.shell().setTheme(b == light ? Theme.LIGHT : Theme.DARK));
    VBox look = new VBox(8, Fx.label("THEME", "field-label"), dark, light);

    for (VBox v : List.of(profile, password, look)) {
      v.setStyle("-fx-padding: 12 0 0 0;");
    }
    tabs.getTabs().addAll(new Tab("My account", profile), new Tab("Password", password), new Tab("Appearance", look));
    tabs.getTabs().get(2).setId("tab-appearance");
    Button logout = Fx.button("Log out", () -> {
      main.shell().closeDialog();
      main.client().logout();
    }, "danger");
    logout.setId("settings-logout");
    Button close = Fx.button("Close", () -> main.shell().closeDialog(), "button");
    close.setId("dialog-cancel");
    HBox footer = new HBox(8, logout, Fx.grow(), close);
    footer.getStyleClass().add("dialog-footer");
    card.getChildren().addAll(tabs, footer);
    main.shell().showDialog(card);
  }

  static void confirm(MainView main, String title, String text, String action, Runnable onYes) {
    VBox card = card(title, text);
    card.setId("confirm-dialog");
    Button yes = Fx.button(action, () -> {
      main.shell().closeDialog();
      onYes.run();
    }, "danger");
    yes.setId("confirm-yes");
    Button no = Fx.button("Cancel", () -> main.shell().closeDialog(), "link");
    no.setId("dialog-cancel");
    HBox footer = new HBox(12, no, yes);
    footer.getStyleClass().add("dialog-footer");
    card.getChildren().add(footer);
    main.shell().showDialog(card);
    yes.requestFocus();
  }

  private static void copy(String s) {
    ClipboardContent c = new ClipboardContent();
    c.putString(s);
    Clipboard.getSystemClipboard().setContent(c);
  }
}
