package com.parchchat.client.ui;

import com.parchchat.client.core.HostSession;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;

/** The far-left column: one round button per host with an online dot, and "+" to add a host. */
final class HostRail extends VBox {
  private final MainView main;
  private final VBox items = new VBox(8);
  private final Map<HostSession, StackPane> buttons = new HashMap<>();
  private final Fx.Subscriptions subs = new Fx.Subscriptions();

  HostRail(MainView main) {
    this.main = main;
    getStyleClass().add("rail");
    setId("host-rail");
    items.setAlignment(Pos.TOP_CENTER);
    Button add = Fx.button("+", () -> Dialogs.addHost(main), "rail-item", "add");
    add.setId("add-host");
    add.setTooltip(new Tooltip("Add a host by its Host Key"));
    Region sep = new Region();
    sep.getStyleClass().add("rail-separator");
    getChildren().addAll(items, sep, add);
  }

  void setHosts(List<HostSession> hosts) {
    subs.close();
    buttons.clear();
    items.getChildren().clear();
    for (HostSession h : hosts) {
      Button b = new Button();
      b.getStyleClass().add("rail-item");
      b.setId("host-" + h.hostKey());
      b.setOnAction(e -> main.host.set(h));
      Tooltip tip = new Tooltip();
      b.setTooltip(tip);
      Circle dot = new Circle(6);
      dot.getStyleClass().add("status-dot");
      StackPane.setAlignment(dot, Pos.BOTTOM_RIGHT);
      StackPane cell = new StackPane(b, dot);
      cell.setMaxSize(52, 52);
      cell.setPrefSize(52, 52);
      subs.add(Fx.bind(h.name(), n -> {
        b.setText(Avatars.initials(n));
        tip.setText(n);
      }));
      subs.add(Fx.bind(h.online(), on -> dot.getStyleClass().setAll("status-dot", on ? "online" : "offline")));
      MenuItem copy = new MenuItem("Copy Host Key");
      copy.setOnAction(e -> {
        ClipboardContent c = new ClipboardContent();
        c.putString(h.hostKey());
        Clipboard.getSystemClipboard().setContent(c);
      });
      MenuItem remove = new MenuItem("Remove host");
      remove.setOnAction(e -> Dialogs.confirm(main, "Remove " + h.name().get() + "?",
          "You stay a member of its spaces; add the Host Key again to come back.", "Remove",
          () -> main.client().removeHost(h.hostKey())));
      b.setContextMenu(new ContextMenu(copy, remove));
      buttons.put(h, cell);
      items.getChildren().add(cell);
    }
    select(main.host.get());
  }

  void select(HostSession h) {
    buttons.forEach((k, cell) -> {
      Button b = (Button) cell.getChildren().get(0);
      b.getStyleClass().remove("selected");
      if (k == h) {
        b.getStyleClass().add("selected");
      }
    });
  }

  void close() {
    subs.close();
  }
}
