package com.parchchat.client.ui;

import com.parchchat.client.core.ChannelLog;
import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.Subscription;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;

import javafx.scene.control.Button;
import javafx.scene.control.IndexedCell;
import javafx.scene.control.Tooltip;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.TextArea;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The message pane: channel header, the virtualized message list (loads older history when
 * scrolled to the top and keeps the reading position), who is typing, and the composer (Enter
 * sends, Shift+Enter adds a line, ↑ in an empty composer edits your last message, Esc cancels).
 */
final class ChatView extends VBox {
  private final MainView main;
  private final Label channelName = new Label();
  private final Node hashIcon = Icons.hash();
  private final ProgressBar progress = new ProgressBar(ProgressBar.INDETERMINATE_PROGRESS);
  final ObservableList<ChatLine> items = FXCollections.observableArrayList();
  final ListView<ChatLine> list = new ListView<>(items);
  private final Label typing = new Label();
  private final TextArea composer = new TextArea();
  private final HBox context = new HBox(8);
  private final Label contextText = new Label();
  private final StackPane body = new StackPane();
  private final VBox empty = new VBox();
  private HostSession host;
  private Channel channel;
  private Subscription logSub;
  private Subscription typingSub;
  private ChannelLog log;
  private Message editing;
  private Message replyingTo;
  private boolean loadingOlder;
  private boolean loadingNewer;
  private int generation;

  ChatView(MainView main) {
    this.main = main;
    getStyleClass().add("chat");
    setId("chat");
    channelName.getStyleClass().add("channel-name");
    channelName.setId("chat-channel-name");
    hashIcon.visibleProperty().bind(channelName.textProperty().isNotEmpty());
    Button searchButton = new Button();
    searchButton.setGraphic(Icons.search());
    searchButton.getStyleClass().add("icon");
    searchButton.setId("search-button");
    searchButton.setTooltip(new Tooltip("Search this space (Ctrl+F)"));
    searchButton.setOnAction(e -> main.openSearch());
    HBox header = new HBox(8, hashIcon, channelName, Fx.grow(), searchButton);
    header.setAlignment(Pos.CENTER_LEFT);
    header.getStyleClass().add("chat-header");
    progress.setMaxWidth(Double.MAX_VALUE);
    progress.setVisible(false);
    progress.managedProperty().bind(progress.visibleProperty());
    progress.setId("chat-progress");

    list.getStyleClass().add("message-list");
    list.setId("message-list");
    list.setCellFactory(v -> new MessageCell(main, this));
    list.setFocusTraversable(true);
    empty.getStyleClass().add("empty-state");
    body.getChildren().addAll(list, empty);
    VBox.setVgrow(body, Priority.ALWAYS);

    composer.getStyleClass().add("composer");
    composer.setId("composer");
    composer.setWrapText(true);
    composer.setPrefRowCount(1);
    composer.setMinHeight(44);
    composer.setPrefHeight(44);
    composer.textProperty().addListener((o, a, b) -> {
      int lines = (int) b.chars().filter(ch -> ch == '\n').count() + 1;
      composer.setPrefHeight(Math.min(8, lines) * 20 + 24);
      if (!b.isBlank() && host != null && channel != null && editing == null) {
        host.typing(channel.id());
      }
    });
    composer.addEventFilter(KeyEvent.KEY_PRESSED, this::composerKeys);
    HBox.setHgrow(composer, Priority.ALWAYS);
    HBox frame = new HBox(composer);
    frame.getStyleClass().add("composer-frame");
    contextText.getStyleClass().add("muted");
    contextText.setId("composer-context");
    context.getChildren().addAll(contextText, Fx.grow(), Fx.button("\u2715", this::cancelContext, "icon"));
    context.getStyleClass().add("composer-context");
    context.setVisible(false);
    context.setManaged(false);
    typing.getStyleClass().add("typing");
    typing.setId("typing");
    VBox composerBox = new VBox(context, frame, typing);
    composerBox.getStyleClass().add("composer-box");
    getChildren().addAll(header, progress, body, composerBox);
    setChannel(null, null);
  }

  void setChannel(HostSession h, Channel c) {
    setChannel(h, c, null);
  }

  /** Shows a channel: its newest messages, or the page around {@code focusId} (a search result). */
  void setChannel(HostSession h, Channel c, Long focusId) {
    generation++;
    if (logSub != null) {
      logSub.close();
      logSub = null;
    }
    if (typingSub != null) {
      typingSub.close();
      typingSub = null;
    }
    cancelContext();
    host = h;
    channel = c;
    items.clear();
    typing.setText("");
    loadingOlder = false;
    loadingNewer = false;
    if (h == null || c == null) {
      channelName.setText("");
      composer.setDisable(true);
      composer.setPromptText("");
      showEmpty(h == null ? "Add a host to get started" : "No channel selected",
          h == null ? "Paste a Host Key with the + button on the left." : "Create a space or pick a text channel.");
      if (h != null) {
        h.setActiveChannel(null);
      }
      return;
    }
    channelName.setText(c.name());
    composer.setDisable(false);
    composer.setPromptText("Message #" + c.name());
    hideEmpty();
    log = h.log(c.id());
    Subscription[] handle = new Subscription[1];
    int gen = generation;
    List<ChatLine> now = log.listen(change -> Platform.runLater(() -> {
      if (gen == generation) {
        apply(change);
      }
    }), handle);
    logSub = handle[0];
    items.setAll(now);
    scrollToBottom();
    progress.setVisible(!log.loaded());
    if (focusId != null) {
      progress.setVisible(true);
    }
    Fx.then(focusId == null ? h.openChannel(c.id()) : h.openAt(c.id(), focusId), l -> {
      if (gen == generation) {
        progress.setVisible(false);
        if (items.isEmpty()) {
          showEmpty("Welcome to #" + c.name() + "!", "This is the start of the channel.");
        }
        if (focusId != null) {
          focus(focusId);
        }
        Platform.runLater(this::installScrollWatcher);
      }
    }, e -> {
      if (gen == generation) {
        progress.setVisible(false);
        main.error((focusId == null ? "Loading #" : "Opening the message in #") + c.name() + " failed", e);
      }
    });
    typingSub = Fx.bind(h.typing(), map -> {
      List<HostSession.TypingUser> who = map.getOrDefault(c.id(), List.of());
      typing.setText(typingText(who));
    });
    composer.requestFocus();
  }

  /** In the channel shown: scrolls to a message, loading the page around it if needed, and selects it. */
  void jumpTo(long messageId) {
    if (host == null || channel == null) {
      return;
    }
    int gen = generation;
    progress.setVisible(true);
    Fx.then(host.openAt(channel.id(), messageId), l -> {
      if (gen == generation) {
        progress.setVisible(false);
        focus(messageId);
      }
    }, e -> {
      if (gen == generation) {
        progress.setVisible(false);
        main.error("Opening the message failed", e);
      }
    });
  }

  /** Selects the line of a loaded message and scrolls it into view (a few lines below the top). */
  private void focus(long messageId) {
    // the log's changes reach items through runLater: focus after they are applied
    Platform.runLater(() -> {
      int at = -1;
      for (int i = 0; i < items.size(); i++) {
        if (!items.get(i).pending() && items.get(i).message().id() == messageId) {
          at = i;
          break;
        }
      }
      if (at >= 0) {
        list.getSelectionModel().clearAndSelect(at);
        list.scrollTo(Math.max(0, at - 2));
        list.requestFocus();
      }
      Platform.runLater(this::fillView);
    });
  }

  /** A window in the past shorter than the view cannot be scrolled: page forward until it fills it. */
  private void fillView() {
    VirtualFlow<?> f = flow();
    if (f == null || log == null || !log.hasNewer() || loadingNewer) {
      return;
    }
    IndexedCell<?> first = f.getFirstVisibleCell();
    IndexedCell<?> last = f.getLastVisibleCell();
    if (first != null && last != null && first.getIndex() == 0 && last.getIndex() >= items.size() - 1) {
      loadNewer();
    }
  }

  /** The id of the message selected in the list (a search result opened), or null. */
  Long selectedMessageId() {
    ChatLine l = list.getSelectionModel().getSelectedItem();
    return l == null || l.pending() ? null : l.message().id();
  }

  void focusComposer() {
    if (!composer.isDisabled()) {
      composer.requestFocus();
    }
  }

  static String typingText(List<HostSession.TypingUser> who) {
    switch (who.size()) {
      case 0: return "";
      case 1: return who.get(0).displayName() + " is typing\u2026";
      case 2: return who.get(0).displayName() + " and " + who.get(1).displayName() + " are typing\u2026";
      default: return "Several people are typing\u2026";
    }
  }

  private void apply(ChannelLog.Change c) {
    boolean atBottom = isAtBottom();
    if (c instanceof ChannelLog.Inserted) {
      ChannelLog.Inserted ins = (ChannelLog.Inserted) c;
      if (ins.index() == 0 && !items.isEmpty()) {
        // an older page above: keep the reader's place (the row at the top stays there)
        int first = firstVisibleIndex();
        adjusting = true;
        try {
          items.addAll(0, ins.lines());
          list.scrollTo(Math.max(0, first) + ins.lines().size());
        } finally {
          adjusting = false;
        }
        hideEmpty();
        return;
      }
      items.addAll(ins.index(), ins.lines());
      hideEmpty();
    } else if (c instanceof ChannelLog.Replaced) {
      ChannelLog.Replaced r = (ChannelLog.Replaced) c;
      items.set(r.index(), r.line());
      refreshNeighbour(r.index() + 1);
    } else if (c instanceof ChannelLog.Removed) {
      items.remove(((ChannelLog.Removed) c).index());
      refreshNeighbour(((ChannelLog.Removed) c).index());
    } else if (c instanceof ChannelLog.Reset) {
      items.setAll(((ChannelLog.Reset) c).lines());
      if (!items.isEmpty()) {
        hideEmpty();
      }
    }
    if (atBottom && (log == null || !log.hasNewer())) {
      scrollToBottom();
    }
  }

  private void refreshNeighbour(int i) {
    if (i >= 0 && i < items.size()) {
      items.set(i, items.get(i)); // regroup the next line (author header may appear/disappear)
    }
  }

  private void scrollToBottom() {
    if (!items.isEmpty()) {
      list.scrollTo(items.size() - 1);
    }
  }

  private VirtualFlow<?> flow() {
    Node n = list.lookup(".virtual-flow");
    return n instanceof VirtualFlow ? (VirtualFlow<?>) n : null;
  }

  private int firstVisibleIndex() {
    VirtualFlow<?> f = flow();
    IndexedCell<?> cell = f == null ? null : f.getFirstVisibleCell();
    return cell == null ? 0 : cell.getIndex();
  }

  private int lastVisibleIndex() {
    VirtualFlow<?> f = flow();
    IndexedCell<?> cell = f == null ? null : f.getLastVisibleCell();
    return cell == null ? items.size() - 1 : cell.getIndex();
  }

  private boolean isAtBottom() {
    VirtualFlow<?> f = flow();
    if (f == null || items.isEmpty()) {
      return true;
    }
    IndexedCell<?> last = f.getLastVisibleCell();
    return last == null || last.getIndex() >= items.size() - 2;
  }

  /**
   * Rows left above (below) the view at which the next older (newer) page is fetched while the
   * user scrolls that way: a page arrives before the reader gets to the end of what is loaded, so
   * scrolling never stops at a page boundary (≈ 3 pages of compact lines, a few seconds of reading
   * at a fast scroll).
   */
  static final int PREFETCH_ROWS = 300;
  /** How long after the last upward scroll a page that arrived still triggers the next one. */
  private static final long KEEP_PREFETCHING_NANOS = 1_500_000_000L;
  private boolean scrollWatcherInstalled;
  private boolean adjusting;
  /** When the user last scrolled up / down (wheel, trackpad, keys, scroll bar): prefetch follows intent only. */
  private long lastUpNanos;
  private long lastDownNanos;

  private void installScrollWatcher() {
    if (scrollWatcherInstalled) {
      return;
    }
    VirtualFlow<?> f = flow();
    if (f != null) {
      f.positionProperty().addListener((o, a, b) -> {
        if (adjusting || log == null) {
          return;
        }
        long now = System.nanoTime();
        if (b.doubleValue() < a.doubleValue() && now - lastUpNanos < KEEP_PREFETCHING_NANOS) {
          if (firstVisibleIndex() < PREFETCH_ROWS) {
            loadOlder();
          }
        } else if (b.doubleValue() > a.doubleValue() && now - lastDownNanos < KEEP_PREFETCHING_NANOS
            && log.hasNewer() && lastVisibleIndex() >= items.size() - PREFETCH_ROWS) {
          loadNewer();
        }
      });
    }
    // what the user asks for: programmatic moves (opening a channel, a search jump) never page
    list.addEventFilter(javafx.scene.input.ScrollEvent.SCROLL, e -> {
      if (e.getDeltaY() > 0) {
        lastUpNanos = System.nanoTime();
      } else if (e.getDeltaY() < 0) {
        lastDownNanos = System.nanoTime();
      }
    });
    list.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_DRAGGED, e -> {
      lastUpNanos = System.nanoTime();
      lastDownNanos = lastUpNanos;
    });
    list.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
      if (e.getCode() == KeyCode.UP || e.getCode() == KeyCode.PAGE_UP || e.getCode() == KeyCode.KP_UP) {
        lastUpNanos = System.nanoTime();
      } else if (e.getCode() == KeyCode.DOWN || e.getCode() == KeyCode.PAGE_DOWN || e.getCode() == KeyCode.KP_DOWN) {
        lastDownNanos = System.nanoTime();
      }
      if (e.getCode() == KeyCode.HOME) {
        e.consume();
        jumpToOldest();
      } else if (e.getCode() == KeyCode.END) {
        e.consume();
        jumpToNewest();
      }
    });
    for (Node n : list.lookupAll(".scroll-bar")) {
      if (n instanceof ScrollBar && ((ScrollBar) n).getOrientation() == Orientation.VERTICAL) {
        ScrollBar bar = (ScrollBar) n;
        bar.valueProperty().addListener((o, a, b) -> {
          if (b.doubleValue() <= bar.getMin() + 1e-9 && a.doubleValue() > b.doubleValue()) {
            loadOlder();
          } else if (b.doubleValue() >= bar.getMax() - 1e-9 && a.doubleValue() < b.doubleValue()) {
            loadNewer();
          }
        });
        scrollWatcherInstalled = true;
      }
    }
    list.addEventFilter(javafx.scene.input.ScrollEvent.SCROLL, e -> {
      if (e.getDeltaY() > 0 && firstVisibleIndex() == 0) {
        loadOlder();
      } else if (e.getDeltaY() < 0 && log != null && log.hasNewer() && isAtBottom()) {
        loadNewer();
      }
    });
  }

  /**
   * Loads the previous page if we are not already loading and the channel has more. The progress
   * bar shows only when the reader is at the top waiting for it (a bar appearing and going per
   * prefetched page would resize the list twice a page); while the reader keeps scrolling up and
   * is still near the top, the next page follows.
   */
  void loadOlder() {
    if (loadingOlder && firstVisibleIndex() == 0) {
      progress.setVisible(true);
    }
    if (host == null || channel == null || loadingOlder || log == null || !log.hasOlder() || !log.loaded()) {
      return;
    }
    loadingOlder = true;
    if (firstVisibleIndex() == 0) {
      progress.setVisible(true);
    }
    int gen = generation;
    Fx.then(host.loadOlder(channel.id()), n -> {
      if (gen == generation) {
        loadingOlder = false;
        progress.setVisible(false);
        if (n > 0 && System.nanoTime() - lastUpNanos < KEEP_PREFETCHING_NANOS && firstVisibleIndex() < PREFETCH_ROWS) {
          Platform.runLater(this::loadOlder);
        }
      }
    }, e -> {
      if (gen == generation) {
        loadingOlder = false;
        progress.setVisible(false);
        main.error("Loading older messages failed", e);
      }
    });
  }

  /** The first message of the channel (Home in the list): the page at the channel's start. */
  void jumpToOldest() {
    if (host == null || channel == null || log == null) {
      return;
    }
    if (!log.hasOlder()) {
      if (!items.isEmpty()) {
        list.scrollTo(0);
      }
      return;
    }
    int gen = generation;
    String channelId = channel.id();
    progress.setVisible(true);
    Fx.then(host.call(new HostRequest.MessageHistory(channelId, null, 0L, 1), HostReply.MessagesResult.class)
        .thenCompose(r -> r.messages().isEmpty()
            ? CompletableFuture.completedFuture((Long) null)
            : host.openAt(channelId, r.messages().get(0).id()).thenApply(l -> r.messages().get(0).id())), id -> {
          if (gen == generation) {
            progress.setVisible(false);
            if (id != null) {
              focus(id);
            }
          }
        }, e -> {
          if (gen == generation) {
            progress.setVisible(false);
            main.error("Opening the start of #" + channel.name() + " failed", e);
          }
        });
  }

  /** The newest message (End in the list), reloading the newest page after a jump into the past. */
  void jumpToNewest() {
    if (host == null || channel == null || log == null) {
      return;
    }
    if (!log.hasNewer()) {
      scrollToBottom();
      return;
    }
    int gen = generation;
    progress.setVisible(true);
    Fx.then(host.openChannel(channel.id()), l -> {
      if (gen == generation) {
        progress.setVisible(false);
        Platform.runLater(this::scrollToBottom);
      }
    }, e -> {
      if (gen == generation) {
        progress.setVisible(false);
        main.error("Loading the newest messages failed", e);
      }
    });
  }

  /** After a jump into the past: loads the next newer page when scrolled to the bottom. */
  void loadNewer() {
    if (host == null || channel == null || loadingNewer || log == null || !log.hasNewer()) {
      return;
    }
    loadingNewer = true;
    if (isAtBottom()) {
      progress.setVisible(true);
    }
    int gen = generation;
    Fx.then(host.loadNewer(channel.id()), n -> {
      if (gen == generation) {
        loadingNewer = false;
        progress.setVisible(false);
        Platform.runLater(this::fillView);
      }
    }, e -> {
      if (gen == generation) {
        loadingNewer = false;
        progress.setVisible(false);
        main.error("Loading newer messages failed", e);
      }
    });
  }

  boolean hasOlderHistory() {
    return log != null && log.hasOlder();
  }

  // ---- composer ----

  private void composerKeys(KeyEvent e) {
    if (e.getCode() == KeyCode.ENTER) {
      e.consume();
      if (e.isShiftDown()) {
        composer.insertText(composer.getCaretPosition(), "\n");
      } else {
        submit();
      }
    } else if (e.getCode() == KeyCode.UP && composer.getText().isEmpty() && editing == null) {
      Message mine = lastOwn();
      if (mine != null) {
        e.consume();
        startEdit(mine);
      }
    } else if (e.getCode() == KeyCode.ESCAPE && (editing != null || replyingTo != null)) {
      e.consume();
      cancelContext();
    }
  }

  private Message lastOwn() {
    if (host == null || log == null || host.me().get() == null) {
      return null;
    }
    return log.lastOwn(host.me().get().id());
  }

  void submit() {
    if (host == null || channel == null) {
      return;
    }
    String text = composer.getText();
    if (text.isBlank()) {
      return;
    }
    try {
      if (editing != null) {
        Message m = editing;
        Fx.then(host.edit(m.id(), text.strip()), x -> { }, err -> main.error("Editing failed", err));
      } else {
        host.send(channel.id(), text, replyingTo == null ? null : replyingTo.id());
      }
      composer.clear();
      cancelContext();
      scrollToBottom();
    } catch (ClientException ex) {
      main.error("Cannot send", ex);
    }
  }

  void startEdit(Message m) {
    editing = m;
    replyingTo = null;
    composer.setText(m.content());
    composer.positionCaret(m.content().length());
    contextText.setText("Editing message \u2014 Enter to save, Esc to cancel");
    context.setVisible(true);
    context.setManaged(true);
    composer.requestFocus();
  }

  void startReply(Message m) {
    replyingTo = m;
    editing = null;
    contextText.setText("Replying to " + m.author().displayName());
    context.setVisible(true);
    context.setManaged(true);
    composer.requestFocus();
  }

  private void cancelContext() {
    if (editing != null) {
      composer.clear();
    }
    editing = null;
    replyingTo = null;
    context.setVisible(false);
    context.setManaged(false);
  }

  HostSession host() {
    return host;
  }

  Channel channel() {
    return channel;
  }

  private void showEmpty(String title, String text) {
    empty.getChildren().setAll(Fx.label(title, "title"), Fx.label(text, "subtitle"));
    empty.setAlignment(Pos.CENTER);
    empty.setVisible(true);
    empty.setMouseTransparent(true);
  }

  private void hideEmpty() {
    empty.setVisible(false);
  }

  void close() {
    setChannel(null, null);
  }

}
