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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.input.ContextMenuEvent;
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

  // The nodes of one cell are made once and reused for every line it shows while scrolling: a new
  // node tree per update costs its construction, a full CSS pass and a layout, which at 60 frames
  // per second is what made scrolling a long channel stutter. Rare parts (day divider text, reply
  // preview, images, reactions, delivery state) are built only for the lines that have them;
  // hover actions and the context menu only when asked for.
  private final VBox root = new VBox();
  private final StackPane stack = new StackPane() {
    @Override
    protected void layoutChildren() {
      super.layoutChildren();
      if (actions != null && actions.getParent() == this) {
        actions.autosize();
        actions.relocate(getWidth() - actions.getWidth(), 0);
      }
    }
  };
  private final HBox row = new HBox(16);
  private final VBox content = new VBox(2);
  private final Label author = Fx.label("", "author");
  private Tooltip authorTip;
  private final Label when = Fx.label("", "timestamp");
  private final HBox header = new HBox(8, author, when);
  private final TextFlow body = new TextFlow();
  private final List<Text> runs = new ArrayList<>();
  private final Text edited = new Text("  (edited)");
  private final Label gutter = Fx.label("", "gutter-time");
  private Label avatar;
  private String avatarKey;
  private HBox dayDivider;
  private Label dayLabel;
  private HBox actions;
  private Button editAction;
  private Button deleteAction;
  private final List<Node> rootWant = new ArrayList<>();
  private final List<Node> contentWant = new ArrayList<>();
  private final List<Node> bodyWant = new ArrayList<>();

  MessageCell(MainView main, ChatView chat) {
    this.main = main;
    this.chat = chat;
    // size to the list, not to the content: long lines wrap instead of growing a horizontal scroll bar
    setPrefWidth(0);
    setText(null);
    getStyleClass().setAll("message-cell");
    HBox.setHgrow(content, Priority.ALWAYS);
    author.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, e -> {
      if (author.getTooltip() == null) {
        author.setTooltip(authorTip());
      }
    });
    header.setAlignment(Pos.BASELINE_LEFT);
    body.getStyleClass().add("message-body");
    edited.getStyleClass().add("edited");
    gutter.setMinWidth(40);
    gutter.setPrefWidth(40);
    row.getStyleClass().add("message-row");
    stack.getChildren().add(row);
    stack.hoverProperty().addListener((o, a, b) -> hovered(b));
    // the context menu is made when it is asked for (before Control's own handler shows it)
    addEventFilter(ContextMenuEvent.CONTEXT_MENU_REQUESTED, e -> {
      ChatLine line = getItem();
      HostSession host = chat.host();
      if (line == null || isEmpty() || line.pending() || host == null) {
        setContextMenu(null);
      } else {
        setContextMenu(contextMenu(host, host.me().get(), line.message()));
      }
    });
  }

  @Override
  protected void updateItem(ChatLine line, boolean empty) {
    super.updateItem(line, empty);
    if (empty || line == null) {
      // hidden, not removed: VirtualFlow empties its measuring cell after every row it sizes, and a
      // graphic taken out of the scene and put back costs a full CSS pass of the whole row
      root.setVisible(false);
      root.setManaged(false);
      return;
    }
    root.setVisible(true);
    root.setManaged(true);
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

    rootWant.clear();
    if (newDay) {
      if (dayDivider == null) {
        dayLabel = new Label();
        dayDivider = dayDivider(dayLabel);
      }
      dayLabel.setText(DAY.format(zoned(m.createdAt())));
      rootWant.add(dayDivider);
    }
    if (m.replyTo() != null) {
      rootWant.add(replyPreview(host, chat.channel() == null ? null : m.replyTo()));
    }
    rootWant.add(stack);
    setChildren(root.getChildren(), rootWant);

    contentWant.clear();
    if (!grouped) {
      author.setText(m.author().displayName());
      if (authorTip != null) {
        authorTip.setText("@" + m.author().username());
      }
      when.setText(stamp(m.createdAt()));
      contentWant.add(header);
    }
    MessageText.Parsed parsed = MessageText.parse(m.content(), me == null ? null : me.username());
    bodyWant.clear();
    List<MessageText.Run> rs = parsed.runs();
    for (int i = 0; i < rs.size(); i++) {
      MessageText.Run r = rs.get(i);
      Text t;
      if (i < runs.size()) {
        t = runs.get(i);
      } else {
        Text fresh = new Text();
        fresh.setOnMouseClicked(e -> {
          if (fresh.getUserData() instanceof String) {
            main.openUrl().accept((String) fresh.getUserData());
          }
        });
        runs.add(fresh);
        t = fresh;
      }
      t.setText(r.text());
      if (!t.getStyleClass().equals(r.styleClasses())) {
        t.getStyleClass().setAll(r.styleClasses());
      }
      t.setUserData(r.link());
      bodyWant.add(t);
    }
    if (m.editedAt() != null) {
      bodyWant.add(edited);
    }
    setChildren(body.getChildren(), bodyWant);
    contentWant.add(body);
    for (String url : parsed.imageUrls()) {
      contentWant.add(imageSlot(url));
    }
    if (!m.reactions().isEmpty() && !line.pending()) {
      contentWant.add(reactions(host, m));
    }
    if (line.delivery() == ChatLine.Delivery.SENDING) {
      contentWant.add(Fx.label("Sending\u2026", "timestamp"));
    } else if (line.delivery() == ChatLine.Delivery.FAILED) {
      Label why = Fx.label("Not sent: " + line.failure(), "field-error");
      Button retry = Fx.button("Retry", () -> host.retry(m.channelId(), m.nonce()), "link", "small");
      Button discard = Fx.button("Discard", () -> host.discard(m.channelId(), m.nonce()), "link", "small");
      HBox failed = new HBox(8, why, retry, discard);
      failed.setAlignment(Pos.CENTER_LEFT);
      contentWant.add(failed);
    }
    setChildren(content.getChildren(), contentWant);

    Region left;
    if (grouped) {
      gutter.setText(TIME.format(zoned(m.createdAt())));
      left = gutter;
    } else {
      String key = m.author().id() + '\u0000' + m.author().displayName();
      if (avatar == null || !key.equals(avatarKey)) {
        avatar = Avatars.avatar(m.author().id(), m.author().displayName(), false);
        avatarKey = key;
      }
      left = avatar;
    }
    if (row.getChildren().size() != 2 || row.getChildren().get(0) != left) {
      row.getChildren().setAll(left, content);
    }
    toggle(row, "first", !grouped);
    toggle(row, "pending", line.pending() && line.delivery() != ChatLine.Delivery.FAILED);
    toggle(row, "failed", line.pending() && line.delivery() == ChatLine.Delivery.FAILED);
    boolean mentionsMe = me != null && (m.mentions().contains(me.id())
        || MessageText.mentions(m.content(), me.username()));
    toggle(row, "mention", mentionsMe && !m.author().id().equals(me.id()));
    hovered(stack.isHover());
    if (getGraphic() != root) {
      setGraphic(root);
    }
  }

  /** Shows the hover actions of the line under the mouse, with edit/delete as the user may. */
  private void hovered(boolean on) {
    ChatLine line = getItem();
    HostSession host = chat.host();
    if (!on || line == null || isEmpty() || line.pending() || host == null) {
      if (actions != null && actions.getParent() != null) {
        stack.getChildren().remove(actions);
      }
      return;
    }
    if (actions == null) {
      actions = actions();
      // not managed: the bar floats over the row's top right corner and never changes its height
      actions.setManaged(false);
    }
    if (actions.getParent() == null) {
      stack.getChildren().add(actions);
    }
    UserRef me = host.me().get();
    Message m = line.message();
    boolean own = me != null && m.author().id().equals(me.id());
    editAction.setVisible(own);
    editAction.setManaged(own);
    boolean del = canDelete(host, me, m);
    deleteAction.setVisible(del);
    deleteAction.setManaged(del);
    actions.autosize();
    actions.relocate(stack.getWidth() - actions.getWidth(), 0);
  }

  /** Replaces {@code have} by {@code want} only when they differ (a change costs a CSS pass and layout). */
  private static void setChildren(List<Node> have, List<Node> want) {
    boolean same = have.size() == want.size();
    for (int i = 0; same && i < want.size(); i++) {
      same = have.get(i) == want.get(i);
    }
    if (!same) {
      have.clear();
      have.addAll(want);
    }
  }

  private static void toggle(Node n, String styleClass, boolean on) {
    boolean has = n.getStyleClass().contains(styleClass);
    if (on && !has) {
      n.getStyleClass().add(styleClass);
    } else if (!on && has) {
      n.getStyleClass().remove(styleClass);
    }
  }

  /**
   * The cell's hover bar (react, reply, edit, delete), made once and acting on the line the cell
   * shows when clicked. Tooltips and the reaction picker are popup windows (a scene each), so they
   * are made when the pointer reaches a button, not for every line scrolled past.
   */
  private HBox actions() {
    HBox box = new HBox();
    box.getStyleClass().add("message-actions");
    box.setMaxSize(Region.USE_PREF_SIZE, Region.USE_PREF_SIZE);
    box.setTranslateY(-8);
    box.setTranslateX(-16);
    Button react = Fx.button("\u263A", () -> { }, "icon");
    react.setOnAction(e -> {
      Message m = current();
      HostSession host = chat.host();
      if (m == null || host == null) {
        return;
      }
      ContextMenu picker = new ContextMenu();
      for (String emoji : QUICK_REACTIONS) {
        MenuItem it = new MenuItem(emoji);
        it.setOnAction(x -> toggleReaction(host, m, emoji));
        picker.getItems().add(it);
      }
      picker.show(react, javafx.geometry.Side.BOTTOM, 0, 0);
    });
    Button reply = Fx.button("\u21A9", () -> {
      Message m = current();
      if (m != null) {
        chat.startReply(m);
      }
    }, "icon");
    editAction = Fx.button("\u270E", () -> {
      Message m = current();
      if (m != null) {
        chat.startEdit(m);
      }
    }, "icon");
    deleteAction = Fx.button("\u2715", () -> {
      Message m = current();
      if (m != null && chat.host() != null) {
        delete(chat.host(), m);
      }
    }, "icon");
    lazyTooltip(react, "Add reaction");
    lazyTooltip(reply, "Reply");
    lazyTooltip(editAction, "Edit");
    lazyTooltip(deleteAction, "Delete");
    box.getChildren().addAll(react, reply, editAction, deleteAction);
    return box;
  }

  private Tooltip authorTip() {
    authorTip = new Tooltip();
    ChatLine line = getItem();
    authorTip.setText(line == null ? "" : "@" + line.message().author().username());
    return authorTip;
  }

  /** The stored message the cell shows, or null (empty, or a pending send). */
  private Message current() {
    ChatLine line = getItem();
    return line == null || isEmpty() || line.pending() ? null : line.message();
  }

  static void lazyTooltip(javafx.scene.control.Control c, String text) {
    c.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, new javafx.event.EventHandler<>() {
      @Override
      public void handle(javafx.scene.input.MouseEvent e) {
        c.removeEventHandler(javafx.scene.input.MouseEvent.MOUSE_ENTERED, this);
        c.setTooltip(new Tooltip(text));
      }
    });
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

  private static HBox dayDivider(Label day) {
    Region l1 = new Region();
    Region l2 = new Region();
    l1.getStyleClass().add("line");
    l2.getStyleClass().add("line");
    HBox.setHgrow(l1, Priority.ALWAYS);
    HBox.setHgrow(l2, Priority.ALWAYS);
    HBox box = new HBox(8, l1, day, l2);
    box.getStyleClass().add("day-divider");
    box.setAlignment(Pos.CENTER);
    return box;
  }
}
