package com.parchchat.client.ui;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.Reaction;
import com.parchchat.protocol.api.Role;
import com.parchchat.protocol.signal.UserRef;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

/**
 * Renders one {@link ChatLine}: a day divider when the date changes, the author header unless the
 * previous line is by the same author within a few minutes (grouping), the reply being answered,
 * markdown body with links and mentions, validated inline images, reactions, an "(edited)" mark,
 * delivery state for our own pending sends, and hover actions (react, reply, edit, delete).
 */
final class MessageCell extends ListCell<ChatLine> {
  static final long GROUP_WINDOW_MS = 7 * 60 * 1000;
  static final String[] QUICK_REACTIONS = {"\u2665", "\u2714", "\u2605", "\u263A", "\u2639", "\u26A1"};
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG);

  private final MainView main;
  private final ChatView chat;

  MessageCell(MainView main, ChatView chat) {
    this.main = main;
    this.chat = chat;
    // size to the list, not to the content: long lines wrap instead of growing a horizontal scroll bar
    setPrefWidth(0);
  }

  @Override
  protected void updateItem(ChatLine line, boolean empty) {
    super.updateItem(line, empty);
    setText(null);
    if (empty || line == null) {
      setGraphic(null);
      return;
    }
    int index = getIndex();
    ChatLine prev = index > 0 && index - 1 < getListView().getItems().size()
        ? getListView().getItems().get(index - 1) : null;
    Message m = line.message();
    HostSession host = chat.host();
    UserRef me = host == null ? null : host.me().get();
    boolean newDay = prev == null || !day(prev.message().createdAt()).equals(day(m.createdAt()));
    boolean grouped = !newDay && prev != null
        && prev.message().author().id().equals(m.author().id())
        && m.createdAt() - prev.message().createdAt() < GROUP_WINDOW_MS
        && m.replyTo() == null;

    VBox root = new VBox();
    if (newDay) {
      root.getChildren().add(dayDivider(m.createdAt()));
    }
    if (m.replyTo() != null) {
      root.getChildren().add(replyPreview(host, chat.channel() == null ? null : m.replyTo()));
    }

    VBox content = new VBox(2);
    HBox.setHgrow(content, Priority.ALWAYS);
    if (!grouped) {
      Label author = Fx.label(m.author().displayName(), "author");
      author.setTooltip(new Tooltip("@" + m.author().username()));
      Label when = Fx.label(stamp(m.createdAt()), "timestamp");
      HBox header = new HBox(8, author, when);
      header.setAlignment(Pos.BASELINE_LEFT);
      content.getChildren().add(header);
    }
    MessageText.Rendered rendered = MessageText.render(m.content(),
        me == null ? null : me.username(), main.openUrl());
    TextFlow body = new TextFlow();
    body.getStyleClass().add("message-body");
    body.getChildren().addAll(rendered.nodes());
    if (m.editedAt() != null) {
      Text edited = new Text("  (edited)");
      edited.getStyleClass().add("edited");
      body.getChildren().add(edited);
    }
    content.getChildren().add(body);
    for (String url : rendered.imageUrls()) {
      content.getChildren().add(imageSlot(url));
    }
    if (!m.reactions().isEmpty() && !line.pending()) {
      content.getChildren().add(reactions(host, m));
    }
    if (line.delivery() == ChatLine.Delivery.SENDING) {
      content.getChildren().add(Fx.label("Sending\u2026", "timestamp"));
    } else if (line.delivery() == ChatLine.Delivery.FAILED) {
      Label why = Fx.label("Not sent: " + line.failure(), "field-error");
      Button retry = Fx.button("Retry", () -> host.retry(m.channelId(), m.nonce()), "link", "small");
      Button discard = Fx.button("Discard", () -> host.discard(m.channelId(), m.nonce()), "link", "small");
      HBox failed = new HBox(8, why, retry, discard);
      failed.setAlignment(Pos.CENTER_LEFT);
      content.getChildren().add(failed);
    }

    Region left;
    if (grouped) {
      Label t = Fx.label(TIME.format(zoned(m.createdAt())), "gutter-time");
      t.setMinWidth(40);
      t.setPrefWidth(40);
      left = t;
    } else {
      left = Avatars.avatar(m.author().id(), m.author().displayName(), false);
    }
    HBox row = new HBox(16, left, content);
    row.getStyleClass().add("message-row");
    if (!grouped) {
      row.getStyleClass().add("first");
    }
    if (line.pending()) {
      row.getStyleClass().add(line.delivery() == ChatLine.Delivery.FAILED ? "failed" : "pending");
    }
    boolean mentionsMe = me != null && (m.mentions().contains(me.id())
        || MessageText.mentions(m.content(), me.username()));
    if (mentionsMe && !m.author().id().equals(me.id())) {
      row.getStyleClass().add("mention");
    }
    StackPane stack = new StackPane(row);
    if (!line.pending() && host != null) {
      HBox actions = actions(host, me, m);
      StackPane.setAlignment(actions, Pos.TOP_RIGHT);
      actions.setVisible(false);
      stack.getChildren().add(actions);
      stack.hoverProperty().addListener((o, a, b) -> actions.setVisible(b));
      setContextMenu(contextMenu(host, me, m));
    } else {
      setContextMenu(null);
    }
    root.getChildren().add(stack);
    root.setId(line.pending() ? "pending-" + m.nonce() : "message-" + m.id());
    setGraphic(root);
  }

  private HBox actions(HostSession host, UserRef me, Message m) {
    HBox box = new HBox();
    box.getStyleClass().add("message-actions");
    box.setMaxSize(Region.USE_PREF_SIZE, Region.USE_PREF_SIZE);
    box.setTranslateY(-8);
    box.setTranslateX(-16);
    Button react = Fx.button("\u263A", () -> { }, "icon");
    react.setTooltip(new Tooltip("Add reaction"));
    ContextMenu picker = new ContextMenu();
    for (String emoji : QUICK_REACTIONS) {
      MenuItem it = new MenuItem(emoji);
      it.setOnAction(e -> toggleReaction(host, m, emoji));
      picker.getItems().add(it);
    }
    react.setOnAction(e -> picker.show(react, javafx.geometry.Side.BOTTOM, 0, 0));
    Button reply = Fx.button("\u21A9", () -> chat.startReply(m), "icon");
    reply.setTooltip(new Tooltip("Reply"));
    box.getChildren().addAll(react, reply);
    if (me != null && m.author().id().equals(me.id())) {
      Button edit = Fx.button("\u270E", () -> chat.startEdit(m), "icon");
      edit.setTooltip(new Tooltip("Edit"));
      box.getChildren().add(edit);
    }
    if (canDelete(host, me, m)) {
      Button del = Fx.button("\u2715", () -> delete(host, m), "icon");
      del.setTooltip(new Tooltip("Delete"));
      box.getChildren().add(del);
    }
    return box;
  }

  private ContextMenu contextMenu(HostSession host, UserRef me, Message m) {
    ContextMenu menu = new ContextMenu();
    MenuItem reply = new MenuItem("Reply");
    reply.setOnAction(e -> chat.startReply(m));
    menu.getItems().add(reply);
    if (me != null && m.author().id().equals(me.id())) {
      MenuItem edit = new MenuItem("Edit message");
      edit.setOnAction(e -> chat.startEdit(m));
      menu.getItems().add(edit);
    }
    if (canDelete(host, me, m)) {
      MenuItem del = new MenuItem("Delete message");
      del.setOnAction(e -> delete(host, m));
      menu.getItems().add(del);
    }
    MenuItem copy = new MenuItem("Copy text");
    copy.setOnAction(e -> {
      javafx.scene.input.ClipboardContent c = new javafx.scene.input.ClipboardContent();
      c.putString(m.content());
      javafx.scene.input.Clipboard.getSystemClipboard().setContent(c);
    });
    menu.getItems().add(copy);
    return menu;
  }

  private boolean canDelete(HostSession host, UserRef me, Message m) {
    if (me == null) {
      return false;
    }
    if (m.author().id().equals(me.id())) {
      return true;
    }
    SpaceState s = main.space.get();
    return s != null && s.roleOf(me.id()).map(r -> r.atLeast(Role.ADMIN)).orElse(false);
  }

  private void delete(HostSession host, Message m) {
    Dialogs.confirm(main, "Delete message?", "This cannot be undone.", "Delete",
        () -> Fx.then(host.delete(m.channelId(), m.id()), v -> { }, e -> main.error("Deleting failed", e)));
  }

  private void toggleReaction(HostSession host, Message m, String emoji) {
    boolean mine = m.reactions().stream().anyMatch(r -> r.emoji().equals(emoji) && Boolean.TRUE.equals(r.me()));
    Fx.then(host.react(m.id(), emoji, !mine), v -> { }, e -> main.error("Reaction failed", e));
  }

  private FlowPane reactions(HostSession host, Message m) {
    FlowPane pane = new FlowPane(4, 4);
    pane.getStyleClass().add("reactions");
    for (Reaction r : m.reactions()) {
      Button chip = Fx.button(r.emoji() + " " + r.count(), () -> toggleReaction(host, m, r.emoji()), "reaction");
      chip.getStyleClass().remove("button");
      if (Boolean.TRUE.equals(r.me())) {
        chip.getStyleClass().add("mine");
      }
      chip.setId("reaction-" + m.id() + "-" + r.emoji());
      pane.getChildren().add(chip);
    }
    return pane;
  }

  private HBox replyPreview(HostSession host, Long replyTo) {
    String text = "Original message not loaded";
    String who = "";
    if (host != null && replyTo != null && chat.channel() != null) {
      ChatLine original = host.log(chat.channel().id()).byId(replyTo);
      if (original != null) {
        who = original.message().author().displayName();
        String c = original.message().content().replace('\n', ' ');
        text = c.length() > 90 ? c.substring(0, 90) + "\u2026" : c;
      }
    }
    HBox box = new HBox(6, Fx.label("\u21B1", "muted"));
    if (!who.isEmpty()) {
      box.getChildren().add(Fx.label(who, "reply-author"));
    }
    box.getChildren().add(Fx.label(text));
    box.getStyleClass().add("reply-preview");
    return box;
  }

  private StackPane imageSlot(String url) {
    StackPane slot = new StackPane();
    slot.getStyleClass().add("inline-image");
    slot.setAlignment(Pos.CENTER_LEFT);
    Fx.then(main.images().load(url), img -> {
      ImageView v = new ImageView(img);
      v.setPreserveRatio(true);
      v.setFitWidth(Math.min(400, img.getWidth()));
      v.setFitHeight(Math.min(300, img.getHeight()));
      v.setOnMouseClicked(e -> main.openUrl().accept(url));
      slot.getChildren().setAll(v);
      if (getListView() != null) {
        getListView().requestLayout();
      }
    }, e -> slot.getChildren().clear());
    return slot;
  }

  private static ZonedDateTime zoned(long millis) {
    return Instant.ofEpochMilli(millis).atZone(ZoneId.systemDefault());
  }

  private static LocalDate day(long millis) {
    return zoned(millis).toLocalDate();
  }

  static String stamp(long millis) {
    ZonedDateTime t = zoned(millis);
    LocalDate today = LocalDate.now(ZoneId.systemDefault());
    if (t.toLocalDate().equals(today)) {
      return "Today at " + TIME.format(t);
    }
    if (t.toLocalDate().equals(today.minusDays(1))) {
      return "Yesterday at " + TIME.format(t);
    }
    return DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm", Locale.ROOT).format(t);
  }

  private static HBox dayDivider(long millis) {
    Region l1 = new Region();
    Region l2 = new Region();
    l1.getStyleClass().add("line");
    l2.getStyleClass().add("line");
    HBox.setHgrow(l1, Priority.ALWAYS);
    HBox.setHgrow(l2, Priority.ALWAYS);
    HBox box = new HBox(8, l1, Fx.label(DAY.format(zoned(millis))), l2);
    box.getStyleClass().add("day-divider");
    box.setAlignment(Pos.CENTER);
    return box;
  }
}
