package com.parchchat.client.ui;

import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Member;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Pos;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;

/**
 * Right column: the space's members, online first, with a presence dot and role; owners and
 * admins get a context menu to change roles, kick or ban (only for members below them).
 */
final class MemberPane extends VBox {
  private final MainView main;
  private final ListView<Object> list = new ListView<>();
  private final Fx.Subscriptions subs = new Fx.Subscriptions();

  MemberPane(MainView main) {
    this.main = main;
    getStyleClass().add("members");
    setId("member-pane");
    list.getStyleClass().add("member-list");
    list.setId("member-list");
    list.setCellFactory(v -> new MemberCell());
    VBox.setVgrow(list, Priority.ALWAYS);
    getChildren().add(list);
  }

  void setSpace(SpaceState s) {
    subs.close();
    list.getItems().clear();
    if (s == null) {
      return;
    }
    subs.add(Fx.bind(s.members(), members -> {
      List<Object> items = new ArrayList<>();
      long online = members.stream().filter(Member::online).count();
      if (online > 0) {
        items.add("ONLINE \u2014 " + online);
        members.stream().filter(Member::online).forEach(items::add);
      }
      if (online < members.size()) {
        items.add("OFFLINE \u2014 " + (members.size() - online));
        members.stream().filter(m -> !m.online()).forEach(items::add);
      }
      list.getItems().setAll(items);
    }));
  }

  void close() {
    subs.close();
  }

  private final class MemberCell extends ListCell<Object> {
    @Override
    protected void updateItem(Object o, boolean empty) {
      super.updateItem(o, empty);
      setText(null);
      setContextMenu(null);
      if (empty || o == null) {
        setGraphic(null);
        return;
      }
      if (o instanceof String) {
        Label h = Fx.label((String) o, "section-header");
        setGraphic(h);
        return;
      }
      Member m = (Member) o;
      Label avatar = Avatars.avatar(m.userId(), m.displayName(), true);
      Circle dot = new Circle(5);
      dot.getStyleClass().addAll("status-dot", m.online() ? "online" : "offline");
      dot.setStyle("-fx-stroke: -p-bg-sidebar;");
      StackPane.setAlignment(dot, Pos.BOTTOM_RIGHT);
      StackPane av = new StackPane(avatar, dot);
      av.setMaxSize(36, 36);
      Label name = Fx.label(m.displayName(), "member-name");
      if (m.role() != Role.MEMBER) {
        name.getStyleClass().add("role-" + m.role().wire());
      }
      HBox row = new HBox(10, av, name);
      if (m.role() != Role.MEMBER) {
        row.getChildren().add(Fx.label(m.role().wire().toUpperCase(), "role-tag"));
      }
      row.getStyleClass().add("member-item");
      if (!m.online()) {
        row.getStyleClass().add("offline");
      }
      row.setId(Fx.cssId("member-", m.username()));
      setGraphic(row);
      setContextMenu(menuFor(m));
    }
  }

  private ContextMenu menuFor(Member target) {
    HostSession h = main.host.get();
    SpaceState s = main.space.get();
    UserRef me = h == null ? null : h.me().get();
    if (h == null || s == null || me == null || me.id().equals(target.userId())) {
      return null;
    }
    Role mine = s.roleOf(me.id()).orElse(Role.MEMBER);
    // you may act only on someone strictly below you
    if (!mine.atLeast(Role.ADMIN) || target.role().atLeast(mine)) {
      return null;
    }
    ContextMenu menu = new ContextMenu();
    if (mine == Role.OWNER) {
      MenuItem role = new MenuItem(target.role() == Role.ADMIN ? "Make member" : "Make admin");
      Role next = target.role() == Role.ADMIN ? Role.MEMBER : Role.ADMIN;
      role.setOnAction(e -> Fx.then(h.setRole(s.id(), target.userId(), next), v -> { },
          err -> main.error("Changing the role failed", err)));
      menu.getItems().add(role);
    }
    MenuItem kick = new MenuItem("Kick " + target.displayName());
    kick.setOnAction(e -> Dialogs.confirm(main, "Kick " + target.displayName() + "?",
        "They can come back with a new invite.", "Kick",
        () -> Fx.then(h.kick(s.id(), target.userId()), v -> { }, err -> main.error("Kick failed", err))));
    MenuItem ban = new MenuItem("Ban " + target.displayName());
    ban.setOnAction(e -> Dialogs.confirm(main, "Ban " + target.displayName() + "?",
        "They cannot rejoin until unbanned.", "Ban",
        () -> Fx.then(h.ban(s.id(), target.userId(), null), v -> { }, err -> main.error("Ban failed", err))));
    menu.getItems().addAll(kick, ban);
    return menu;
  }
}
