package com.parchchat.client.ui;

import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.ui.voice.VoiceChannelRoster;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.api.UnreadCount;
import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Second column: the host's spaces, the selected space's channels (text then voice, in the host's
 * order, with unread badges and voice participants), and the signed-in user's panel.
 */
final class Sidebar extends VBox {
  private final MainView main;
  private final Label hostName = new Label();
  private final Label hostStatus = new Label();
  private final ProgressIndicator loading = new ProgressIndicator();
  private final ListView<SpaceState> spaceList = new ListView<>();
  private final ListView<Object> channelList = new ListView<>();
  private final Label spaceTitle = new Label();
  private final MenuButton spaceMenu = new MenuButton("\u2699");
  private final Button invitesButton = new Button();
  private final Label userName = new Label();
  private final Label userHandle = new Label();
  private final HBox userPanel = new HBox();
  private final Fx.Subscriptions hostSubs = new Fx.Subscriptions();
  private final Fx.Subscriptions spaceSubs = new Fx.Subscriptions();
  private final Fx.Subscriptions subs = new Fx.Subscriptions();
  private Map<String, UnreadCount> unread = Map.of();
  private boolean updatingSelection;

  Sidebar(MainView main) {
    this.main = main;
    getStyleClass().add("sidebar");
    setId("sidebar");

    loading.setPrefSize(16, 16);
    loading.setVisible(false);
    hostName.setId("host-name");
    hostStatus.getStyleClass().add("host-status");
    hostStatus.setId("host-status");
    VBox hostTitle = new VBox(0, hostName, hostStatus);
    HBox header = new HBox(8, hostTitle, Fx.grow(), loading);
    header.getStyleClass().add("sidebar-header");

    Button newSpace = Fx.button("+", () -> Dialogs.createSpace(main), "icon");
    newSpace.setId("create-space");
    newSpace.setTooltip(new Tooltip("Create a space"));
    Button join = Fx.button("\u2937", () -> Dialogs.redeemCode(main), "icon");
    join.setId("join-code");
    join.setTooltip(new Tooltip("Join with an invite code"));
    invitesButton.getStyleClass().addAll("button", "icon");
    invitesButton.setId("invites-button");
    invitesButton.setOnAction(e -> Dialogs.invitesInbox(main));
    invitesButton.setTooltip(new Tooltip("Pending invites"));
    HBox spacesHeader = new HBox(2, Fx.label("SPACES", "section-header"), Fx.grow(), invitesButton, join, newSpace);
    spacesHeader.setAlignment(Pos.CENTER_LEFT);
    spacesHeader.setStyle("-fx-padding: 0 8 0 0;");

    spaceList.getStyleClass().add("nav-list");
    spaceList.setId("space-list");
    spaceList.setMinHeight(44);
    spaceList.prefHeightProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
        () -> Math.min(220, Math.max(1, spaceList.getItems().size()) * 42.0 + 6), spaceList.getItems()));
    spaceList.setCellFactory(v -> new SpaceCell());
    spaceList.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
      if (!updatingSelection && b != null) {
        main.space.set(b);
      }
    });

    spaceTitle.getStyleClass().add("strong");
    spaceTitle.setId("space-title");
    spaceMenu.getStyleClass().addAll("button", "icon");
    spaceMenu.setVisible(false);
    spaceMenu.setId("space-menu");
    HBox channelsHeader = new HBox(4, spaceTitle, Fx.grow(), spaceMenu);
    channelsHeader.setAlignment(Pos.CENTER_LEFT);
    channelsHeader.getStyleClass().add("sidebar-header");

    channelList.getStyleClass().add("nav-list");
    channelList.setId("channel-list");
    channelList.setCellFactory(v -> new ChannelCell());
    channelList.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
      if (!updatingSelection && b instanceof Channel && ((Channel) b).kind() == ChannelKind.TEXT) {
        main.selectChannel((Channel) b);
      } else if (!updatingSelection && b instanceof Channel && main.host.get() != null) {
        main.voice.join(main.host.get(), (Channel) b);
      }
    });
    VBox.setVgrow(channelList, Priority.ALWAYS);

    userPanel.getStyleClass().add("user-panel");
    userName.getStyleClass().add("strong");
    userName.setId("user-name");
    userHandle.getStyleClass().addAll("muted", "small");
    Button settings = Fx.button("\u2699", () -> Dialogs.settings(main), "icon");
    settings.setId("settings");
    settings.setTooltip(new Tooltip("User settings"));
    Button logout = Fx.button("\u21E5", () -> main.client().logout(), "icon");
    logout.setId("logout");
    logout.setTooltip(new Tooltip("Log out"));
    subs.add(Fx.bind(main.client().account(), a -> {
      userPanel.getChildren().clear();
      if (a == null) {
        return;
      }
      UserRef u = a.user();
      userName.setText(u.displayName());
      userHandle.setText("@" + u.username());
      userPanel.getChildren().addAll(Avatars.avatar(u.id(), u.displayName(), true),
          new VBox(0, userName, userHandle), Fx.grow(), settings, logout);
    }));

    getChildren().addAll(header, spacesHeader, spaceList, channelsHeader, channelList, userPanel);
    setHost(null);
  }

  void setHost(HostSession h) {
    hostSubs.close();
    if (h == null) {
      hostName.setText("No host yet");
      hostStatus.setText("Add one with the + on the left");
      spaceList.getItems().clear();
      invitesButton.setVisible(false);
      loading.setVisible(false);
      return;
    }
    hostSubs.add(Fx.bind(h.name(), hostName::setText));
    hostSubs.add(Fx.bind(h.phase(), p -> {
      loading.setVisible(p == HostSession.Phase.LOADING || p == HostSession.Phase.CONNECTING);
      hostStatus.setText(phaseText(p));
    }));
    hostSubs.add(Fx.bind(h.spaces(), list -> {
      updatingSelection = true;
      spaceList.getItems().setAll(list);
      spaceList.getSelectionModel().select(main.space.get());
      updatingSelection = false;
    }));
    hostSubs.add(Fx.bind(h.invites(), list -> {
      invitesButton.setText("\u2709 " + list.size());
      invitesButton.setVisible(!list.isEmpty());
      invitesButton.setManaged(!list.isEmpty());
    }));
    hostSubs.add(Fx.bind(h.unread(), u -> {
      unread = u;
      channelList.refresh();
      spaceList.refresh();
    }));
  }

  private static String phaseText(HostSession.Phase p) {
    switch (p) {
      case READY: return "\u25CF Online";
      case LOADING: return "Loading\u2026";
      case OFFLINE: return "\u25CB Offline";
      case FAILED: return "Could not load";
      default: return "Connecting\u2026";
    }
  }

  void setSpace(SpaceState s) {
    spaceSubs.close();
    updatingSelection = true;
    spaceList.getSelectionModel().select(s);
    updatingSelection = false;
    if (s == null) {
      spaceTitle.setText("");
      channelList.getItems().clear();
      spaceMenu.setVisible(false);
      return;
    }
    spaceMenu.setVisible(true);
    spaceSubs.add(Fx.bind(s.space(), sp -> spaceTitle.setText(sp.name())));
    spaceSubs.add(Fx.bind(s.channels(), c -> fillChannels(s)));
    spaceSubs.add(Fx.bind(s.voice(), v -> fillChannels(s)));
    spaceSubs.add(Fx.bind(s.members(), m -> buildSpaceMenu(s)));
  }

  private void fillChannels(SpaceState s) {
    List<Object> items = new ArrayList<>();
    List<Channel> chans = s.channels().get();
    items.add("TEXT CHANNELS");
    chans.stream().filter(c -> c.kind() == ChannelKind.TEXT).forEach(items::add);
    if (chans.stream().anyMatch(c -> c.kind() == ChannelKind.VOICE)) {
      items.add("VOICE CHANNELS");
      chans.stream().filter(c -> c.kind() == ChannelKind.VOICE).forEach(items::add);
      main.voice.prestart(); // the first voice-channel click then finds the engine running
    }
    updatingSelection = true;
    channelList.getItems().setAll(items);
    Channel sel = main.channel.get();
    if (sel != null) {
      chans.stream().filter(c -> c.id().equals(sel.id())).findFirst()
          .ifPresent(c -> channelList.getSelectionModel().select(c));
    }
    updatingSelection = false;
  }

  void selectChannel(Channel c) {
    updatingSelection = true;
    if (c == null) {
      channelList.getSelectionModel().clearSelection();
    } else {
      channelList.getItems().stream()
          .filter(o -> o instanceof Channel && ((Channel) o).id().equals(c.id()))
          .findFirst().ifPresent(o -> channelList.getSelectionModel().select(o));
    }
    updatingSelection = false;
  }

  private Optional<Role> myRole(SpaceState s) {
    HostSession h = main.host.get();
    if (h == null || h.me().get() == null) {
      return Optional.empty();
    }
    return s.roleOf(h.me().get().id());
  }

  private void buildSpaceMenu(SpaceState s) {
    Role role = myRole(s).orElse(Role.MEMBER);
    List<MenuItem> items = new ArrayList<>();
    items.add(item("Invite people", "menu-invite", () -> Dialogs.invite(main, s)));
    if (role.atLeast(Role.ADMIN)) {
      items.add(item("Create channel", "menu-create-channel", () -> Dialogs.createChannel(main, s)));
    }
    if (role == Role.OWNER) {
      items.add(item("Rename space", "menu-rename-space", () -> Dialogs.renameSpace(main, s)));
      items.add(new SeparatorMenuItem());
      items.add(item("Delete space", "menu-delete-space", () -> Dialogs.confirm(main,
          "Delete " + s.space().get().name() + "?", "All channels and messages are deleted for everyone.",
          "Delete space", () -> Fx.then(main.host.get().deleteSpace(s.id()), v -> { },
              e -> main.error("Deleting the space failed", e)))));
    } else {
      items.add(new SeparatorMenuItem());
      items.add(item("Leave space", "menu-leave-space", () -> Dialogs.confirm(main,
          "Leave " + s.space().get().name() + "?", "You can come back with a new invite.", "Leave",
          () -> Fx.then(main.host.get().leaveSpace(s.id()), v -> { },
              e -> main.error("Leaving the space failed", e)))));
    }
    spaceMenu.getItems().setAll(items);
  }

  private static MenuItem item(String text, String id, Runnable action) {
    MenuItem m = new MenuItem(text);
    m.setId(id);
    m.setOnAction(e -> action.run());
    return m;
  }

  void close() {
    hostSubs.close();
    spaceSubs.close();
    subs.close();
  }

  private final class SpaceCell extends ListCell<SpaceState> {
    @Override
    protected void updateItem(SpaceState s, boolean empty) {
      super.updateItem(s, empty);
      setText(null);
      if (empty || s == null) {
        setGraphic(null);
        return;
      }
      String name = s.space().get().name();
      Label avatar = new Label(Avatars.initials(name));
      avatar.getStyleClass().add("space-avatar");
      avatar.setStyle("-fx-background-color: " + Avatars.color(s.id()) + ";");
      Label l = new Label(name);
      int count = s.channels().get().stream()
          .mapToInt(c -> Optional.ofNullable(unread.get(c.id())).map(UnreadCount::count).orElse(0)).sum();
      HBox box = new HBox(8, avatar, l, Fx.grow());
      if (count > 0) {
        box.getStyleClass().add("unread");
        box.getChildren().add(Fx.label(count > 99 ? "99+" : String.valueOf(count), "badge"));
      }
      box.getStyleClass().add("nav-item");
      box.setId(Fx.cssId("space-", name));
      setGraphic(box);
    }
  }

  private final class ChannelCell extends ListCell<Object> {
    @Override
    protected void updateItem(Object o, boolean empty) {
      super.updateItem(o, empty);
      setText(null);
      setContextMenu(null);
      if (empty || o == null) {
        setGraphic(null);
        setDisable(false);
        return;
      }
      if (o instanceof String) {
        HBox h = new HBox(Fx.label((String) o));
        h.getStyleClass().add("nav-header");
        setGraphic(h);
        setMouseTransparent(true);
        setFocusTraversable(false);
        return;
      }
      setMouseTransparent(false);
      Channel c = (Channel) o;
      Node glyph = c.kind() == ChannelKind.VOICE ? Icons.speaker() : Icons.hash();
      Label name = new Label(c.name());
      HBox row = new HBox(8, glyph, name, Fx.grow());
      row.getStyleClass().add("nav-item");
      row.setId(Fx.cssId("channel-", c.name()));
      UnreadCount u = unread.get(c.id());
      boolean active = main.channel.get() != null && main.channel.get().id().equals(c.id());
      if (u != null && u.count() > 0 && !active) {
        row.getStyleClass().add("unread");
        Label badge = Fx.label(u.mentions() > 0 ? "@" + u.mentions() : u.count() > 99 ? "99+" : String.valueOf(u.count()), "badge");
        badge.setId(Fx.cssId("badge-", c.name()));
        row.getChildren().add(badge);
      }
      Node graphic = row;
      if (c.kind() == ChannelKind.VOICE) {
        graphic = new VoiceChannelRoster(row, c.id(), VoiceChannelRoster.participantsOf(main.space.get(), c.id()),
            main.voice.speaking());
      }
      setGraphic(graphic);
      SpaceState s = main.space.get();
      if (s != null && myRole(s).orElse(Role.MEMBER).atLeast(Role.ADMIN)) {
        setContextMenu(new ContextMenu(
            item("Rename channel", "menu-rename-channel", () -> Dialogs.renameChannel(main, c)),
            item("Move up", "menu-move-up", () -> move(s, c, -1)),
            item("Move down", "menu-move-down", () -> move(s, c, 1)),
            item("Delete channel", "menu-delete-channel", () -> Dialogs.confirm(main, "Delete #" + c.name() + "?",
                "Its messages are deleted for everyone.", "Delete channel",
                () -> Fx.then(main.host.get().deleteChannel(s.id(), c.id()), v -> { },
                    e -> main.error("Deleting the channel failed", e))))));
      }
    }
  }

  private void move(SpaceState s, Channel c, int step) {
    List<String> ids = new ArrayList<>();
    s.channels().get().forEach(x -> ids.add(x.id()));
    int i = ids.indexOf(c.id());
    int j = i + step;
    if (i < 0 || j < 0 || j >= ids.size()) {
      return;
    }
    ids.set(i, ids.get(j));
    ids.set(j, c.id());
    Fx.then(main.host.get().reorderChannels(s.id(), ids), v -> { }, e -> main.error("Reordering failed", e));
  }
}
