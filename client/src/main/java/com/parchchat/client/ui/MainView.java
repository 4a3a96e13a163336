package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.RelayConnection;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.signal.ErrorCode;
import com.parchchat.client.ui.voice.VoiceDock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.animation.PauseTransition;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The signed-in screen, laid out like the chat apps people know: host rail | spaces and
 * channels | messages | members, with banners on top for the relay link, an offline host and
 * errors. Selection (host → space → channel) lives here; the parts listen to it.
 *
 * <p>Keyboard: Alt+↑/↓ moves between channels, Ctrl+Alt+↑/↓ between spaces, Ctrl+F or Ctrl+K
 * searches the current space, Esc closes dialogs and the search and cancels an edit or reply;
 * lists and dialogs are reachable with Tab.
 */
public final class MainView extends BorderPane {
  private final ParchClient client;
  private final AppShell shell;
  private final Consumer<String> openUrl;
  private final Fx.Subscriptions subs = new Fx.Subscriptions();
  private final Fx.Subscriptions hostSubs = new Fx.Subscriptions();

  final ObjectProperty<HostSession> host = new SimpleObjectProperty<>();
  final ObjectProperty<SpaceState> space = new SimpleObjectProperty<>();
  final ObjectProperty<Channel> channel = new SimpleObjectProperty<>();

  private final VBox banners = new VBox();
  private final Label connectionBanner = new Label();
  private final HBox hostBanner = new HBox(8);
  private final Label hostBannerText = new Label();
  private final HBox errorBanner = new HBox(8);
  private final Label errorText = new Label();
  private final HBox noticeBanner = new HBox(8);
  private final Label noticeText = new Label();
  private final PauseTransition errorTimer = new PauseTransition(Duration.seconds(8));
  private final PauseTransition noticeTimer = new PauseTransition(Duration.seconds(6));

  private final HostRail rail;
  private final Sidebar sidebar;
  private final ChatView chat;
  private final MemberPane members;
  private final SearchPane search;
  /** A search result to show once its channel is selected. */
  private Message jumpTo;
  private final ImagePreviews images;
  final VoiceDock voice;

  MainView(ParchClient client, AppShell shell, Consumer<String> openUrl) {
    this.client = client;
    this.shell = shell;
    this.openUrl = openUrl;
    this.images = new ImagePreviews(client.http());
    setId("main-view");
    getStyleClass().add("chat");
    rail = new HostRail(this);
    sidebar = new Sidebar(this);
    chat = new ChatView(this);
    members = new MemberPane(this);
    search = new SearchPane(this);
    setLeft(new HBox(rail, sidebar));
    setCenter(chat);
    setRight(members);
    voice = new VoiceDock(client);
    setBottom(voice);
    buildBanners();
    setTop(banners);

    // selection listeners first: binding the host list below selects the first saved host at once
    host.addListener((o, a, b) -> hostSelected(b));
    space.addListener((o, a, b) -> spaceSelected(b));
    channel.addListener((o, a, b) -> channelSelected(b));
    subs.add(Fx.bind(client.connection(), this::showConnection));
    subs.add(Fx.bind(client.hosts(), this::hostsChanged));
    subs.add(client.notices().listen(list -> Fx.run(() -> {
      if (!list.isEmpty()) {
        notice(list.get(list.size() - 1).text());
      }
    })));
    addEventFilter(KeyEvent.KEY_PRESSED, this::globalKeys);
  }

  ParchClient client() {
    return client;
  }

  AppShell shell() {
    return shell;
  }

  Consumer<String> openUrl() {
    return openUrl;
  }

  ImagePreviews images() {
    return images;
  }

  ChatView chat() {
    return chat;
  }

  // ---- selection ----

  private void hostsChanged(List<HostSession> hosts) {
    rail.setHosts(hosts);
    HostSession h = host.get();
    if (h == null || !hosts.contains(h)) {
      host.set(hosts.isEmpty() ? null : hosts.get(0));
    }
  }

  private void hostSelected(HostSession h) {
    hostSubs.close();
    rail.select(h);
    sidebar.setHost(h);
    if (h == null) {
      space.set(null);
      hostBanner.setVisible(false);
      hostBanner.setManaged(false);
      return;
    }
    hostSubs.add(Fx.bind(h.phase(), p -> showHostPhase(h)));
    hostSubs.add(Fx.bind(h.spaces(), list -> {
      SpaceState s = space.get();
      if (s == null || !list.contains(s)) {
        space.set(list.isEmpty() ? null : list.get(0));
      }
    }));
  }

  private void spaceSelected(SpaceState s) {
    sidebar.setSpace(s);
    members.setSpace(s);
    search.setSpace(host.get(), s);
    if (s == null) {
      channel.set(null);
      return;
    }
    List<Channel> chans = s.channels().get();
    Message jump = jumpTo;
    Channel first = (jump == null ? Optional.<Channel>empty() : s.channel(jump.channelId()))
        .orElseGet(() -> chans.stream().filter(c -> c.kind() == ChannelKind.TEXT).findFirst().orElse(null));
    channel.set(first);
  }

  private void channelSelected(Channel c) {
    sidebar.selectChannel(c);
    Message jump = jumpTo;
    jumpTo = null;
    chat.setChannel(host.get(), c, jump != null && c != null && jump.channelId().equals(c.id()) ? jump.id() : null);
  }

  // ---- search ----

  /** Shows the search column in place of the member list and puts the caret in its field. */
  void openSearch() {
    search.setSpace(host.get(), space.get());
    if (getRight() != search) {
      setRight(search);
    }
    search.focusField();
  }

  void closeSearch() {
    if (getRight() == search) {
      setRight(members);
      chat.focusComposer();
    }
  }

  boolean searchOpen() {
    return getRight() == search;
  }

  /** Opens the channel of a search result at that message (loading the page around it). */
  void openMessage(Message m) {
    HostSession h = host.get();
    SpaceState s = h == null ? null : h.spaceOfChannel(m.channelId()).orElse(null);
    Channel c = s == null ? null : s.channel(m.channelId()).orElse(null);
    if (c == null) {
      error("Cannot open the message", new ClientException(ErrorCode.NOT_FOUND, "its channel is gone or not loaded"));
      return;
    }
    if (channel.get() != null && c.id().equals(channel.get().id()) && s == space.get()) {
      chat.jumpTo(m.id());
      return;
    }
    jumpTo = m;
    if (s != space.get()) {
      space.set(s);
    } else {
      channel.set(c);
    }
  }

  /** Selects a space by id once it shows up (after create, accept, redeem). */
  void selectSpace(SpaceState s) {
    HostSession h = host.get();
    if (h != null && h.spaces().get().contains(s)) {
      space.set(s);
    }
  }

  void selectChannel(Channel c) {
    channel.set(c);
  }

  private void globalKeys(KeyEvent e) {
    if (e.isShortcutDown() && !e.isAltDown() && (e.getCode() == KeyCode.F || e.getCode() == KeyCode.K)) {
      e.consume();
      openSearch();
      return;
    }
    if (e.getCode() == KeyCode.ESCAPE && searchOpen() && search.isFocusWithin()) {
      e.consume();
      closeSearch();
      return;
    }
    if (!e.isAltDown() || (e.getCode() != KeyCode.UP && e.getCode() != KeyCode.DOWN)) {
      return;
    }
    int step = e.getCode() == KeyCode.UP ? -1 : 1;
    if (e.isControlDown()) {
      HostSession h = host.get();
      if (h != null) {
        space.set(step(h.spaces().get(), space.get(), step));
      }
    } else if (space.get() != null) {
      List<Channel> text = space.get().channels().get().stream()
          .filter(c -> c.kind() == ChannelKind.TEXT).toList();
      channel.set(step(text, channel.get(), step));
    }
    e.consume();
  }

  private static <T> T step(List<T> list, T current, int step) {
    if (list.isEmpty()) {
      return null;
    }
    int i = current == null ? -1 : list.indexOf(current);
    return list.get(Math.floorMod(i + step, list.size()));
  }

  // ---- banners ----

  private void buildBanners() {
    connectionBanner.setMaxWidth(Double.MAX_VALUE);
    connectionBanner.setId("connection-banner");
    hide(connectionBanner);
    hostBannerText.setId("host-banner");
    hostBanner.getChildren().add(hostBannerText);
    hostBanner.getStyleClass().addAll("banner", "warning");
    hide(hostBanner);
    errorText.setId("error-banner");
    errorText.setWrapText(true);
    Button closeError = Fx.button("\u2715", () -> hide(errorBanner), "icon");
    errorBanner.getChildren().addAll(errorText, Fx.grow(), closeError);
    errorBanner.getStyleClass().addAll("banner", "error");
    hide(errorBanner);
    noticeText.setId("notice-banner");
    noticeBanner.getChildren().addAll(noticeText, Fx.grow(), Fx.button("\u2715", () -> hide(noticeBanner), "icon"));
    noticeBanner.getStyleClass().addAll("banner", "info");
    hide(noticeBanner);
    errorTimer.setOnFinished(e -> hide(errorBanner));
    noticeTimer.setOnFinished(e -> hide(noticeBanner));
    banners.getChildren().addAll(connectionBanner, hostBanner, errorBanner, noticeBanner);
  }

  private void showConnection(RelayConnection.Status st) {
    connectionBanner.getStyleClass().setAll("label", "banner");
    switch (st.state()) {
      case ONLINE:
      case CLOSED:
        hide(connectionBanner);
        return;
      case CONNECTING:
        connectionBanner.getStyleClass().add("info");
        connectionBanner.setText("Connecting to the relay\u2026");
        break;
      case RECONNECTING:
        connectionBanner.getStyleClass().add("warning");
        long secs = Math.max(1, (st.retryAtMillis() - System.currentTimeMillis() + 999) / 1000);
        connectionBanner.setText(st.detail() + " \u2014 reconnecting in " + secs + " s. "
            + "Messages you send now go out when the link is back.");
        break;
      case UNAUTHORIZED:
        connectionBanner.getStyleClass().add("error");
        connectionBanner.setText("Your session ended: " + st.detail());
        break;
      default:
        break;
    }
    show(connectionBanner);
  }

  private void showHostPhase(HostSession h) {
    if (h != host.get()) {
      return;
    }
    HostSession.Phase p = h.phase().get();
    if (p == HostSession.Phase.OFFLINE) {
      hostBannerText.setText(h.name().get() + " is offline. Messages you send now are delivered when it is back.");
      show(hostBanner);
    } else if (p == HostSession.Phase.FAILED) {
      hostBannerText.setText("Could not load " + h.name().get() + ": " + Optional.ofNullable(h.problem().get()).orElse("unknown error"));
      show(hostBanner);
    } else {
      hide(hostBanner);
    }
  }

  /** Shows a readable error banner for a failed operation. */
  void error(String what, ClientException e) {
    errorText.setText(what + ": " + e.getMessage());
    show(errorBanner);
    errorTimer.playFromStart();
  }

  void notice(String text) {
    noticeText.setText(text);
    show(noticeBanner);
    noticeTimer.playFromStart();
  }

  private static void show(javafx.scene.Node n) {
    n.setVisible(true);
    n.setManaged(true);
  }

  private static void hide(javafx.scene.Node n) {
    n.setVisible(false);
    n.setManaged(false);
  }

  void close() {
    subs.close();
    hostSubs.close();
    sidebar.close();
    chat.close();
    members.close();
    rail.close();
    voice.close();
  }
}
