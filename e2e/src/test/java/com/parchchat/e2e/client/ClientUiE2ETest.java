package com.parchchat.e2e.client;

import static com.parchchat.e2e.support.Spaces.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ChatLine;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.SpaceState;
import com.parchchat.client.ui.AppShell;
import com.parchchat.e2e.support.Spaces;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import com.parchchat.testkit.stack.ParchStack;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The JavaFX client, headless (TestFX + Monocle), against the real relay and host jars. A second
 * user is driven through {@code client.core} as a bot, so every flow crosses real processes:
 * register and log in, add a host, create a space and a channel, exchange messages, scroll back
 * through history, accept an invite. Saves screenshots of the main screens.
 */
@ExtendWith(ApplicationExtension.class)
class ClientUiE2ETest {
  static {
    HeadlessFx.init();
  }

  static final Duration WAIT = Duration.ofSeconds(45);
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static Path root;
  private static ParchStack stack;

  private ParchClient client;
  private AppShell shell;
  private Scene scene;
  private final List<ParchClient> bots = new ArrayList<>();
  private String me;

  @BeforeAll
  static void stack() {
    root = ParchStack.tempDir("parch-ui-e2e");
    stack = ParchStack.builder(root).host("Parch Home")
        .hostYaml("messageBurst: 1000\nmessagesPerSecond: 1000.0\n").start();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Start
  void start(Stage stage) {
    int n = SEQ.incrementAndGet();
    me = "user" + n;
    client = new ParchClient(ClientConfig.defaults(root.resolve("ui-" + n)).withDefaultRelay(stack.relayUrl()));
    shell = new AppShell(client, url -> { });
    scene = new Scene(shell, 1280, 800);
    shell.attach(scene);
    stage.setScene(scene);
    stage.show();
    shell.startup();
  }

  @AfterEach
  void close() {
    bots.forEach(ParchClient::close);
    client.close();
  }

  // ---- helpers ----

  ParchClient bot(String username) throws Exception {
    ParchClient c = new ParchClient(ClientConfig.defaults(root.resolve("bot-" + username)).withDefaultRelay(stack.relayUrl()));
    bots.add(c);
    c.register(stack.relayUrl(), username, "Bot " + username, username + "@example.org", "password-" + username)
        .get(20, TimeUnit.SECONDS);
    return c;
  }

  static HostSession ready(ParchClient c) {
    HostSession h = c.addHost(stack.hostKey());
    await().atMost(WAIT).until(() -> h.phase().get() == HostSession.Phase.READY);
    return h;
  }

  void registerThroughUi(FxRobot robot) {
    robot.clickOn("#to-register");
    robot.clickOn("#email").write(me + "@example.org");
    robot.clickOn("#displayName").write("Ann " + me);
    robot.clickOn("#username").write(me);
    robot.clickOn("#password").write("correct horse");
    robot.clickOn("#confirm").write("correct horse").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> exists(robot, "#main-view"));
  }

  /**
   * Signs up and adds the host through the UI, then accepts {@code ownerHost}'s invite to {@code space}
   * and waits until the UI shows the space titled {@code title}.
   */
  void joinThroughUi(FxRobot robot, HostSession ownerHost, SpaceState space, String title) throws Exception {
    registerThroughUi(robot);
    addHostThroughUi(robot);
    ownerHost.inviteUser(space.id(), me).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> uiHost().invites().get().size() == 1);
    join(uiHost().acceptInvite(uiHost().invites().get().get(0).id()));
    await().atMost(WAIT).until(() -> text(robot, "#space-title").equals(title));
  }

  void addHostThroughUi(FxRobot robot) {
    robot.clickOn("#add-host");
    robot.clickOn("#host-key").write(stack.hostKey());
    robot.clickOn("#dialog-ok");
    await().atMost(WAIT).until(() -> text(robot, "#host-name").equals("Parch Home"));
    await().atMost(WAIT).until(() -> client.hosts().get().get(0).phase().get() == HostSession.Phase.READY);
  }

  HostSession uiHost() {
    return client.hosts().get().get(0);
  }

  static boolean exists(FxRobot robot, String query) {
    WaitForAsyncUtils.waitForFxEvents();
    return robot.lookup(query).tryQuery().isPresent();
  }

  static String text(FxRobot robot, String query) {
    WaitForAsyncUtils.waitForFxEvents();
    return robot.lookup(query).tryQuery().map(n -> n instanceof Label ? ((Label) n).getText() : "").orElse("");
  }

  @SuppressWarnings("unchecked")
  static ListView<ChatLine> messages(FxRobot robot) {
    return (ListView<ChatLine>) robot.lookup("#message-list").queryAs(ListView.class);
  }

  static List<String> shownContents(FxRobot robot) {
    List<String> out = new ArrayList<>();
    robot.interact(() -> messages(robot).getItems().forEach(l -> out.add(l.message().content())));
    return out;
  }

  void screenshot(FxRobot robot, String name) {
    WaitForAsyncUtils.waitForFxEvents();
    robot.interact(() -> {
      WritableImage img = scene.snapshot(null);
      int w = (int) img.getWidth();
      int h = (int) img.getHeight();
      int[] argb = new int[w * h];
      img.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
      BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      out.setRGB(0, 0, w, h, argb, 0, w);
      Path dir = Path.of(System.getProperty("parch.screenshots.dir",
          Path.of(System.getProperty("java.io.tmpdir"), "parch-screenshots").toString()));
      try {
        Files.createDirectories(dir);
        ImageIO.write(out, "png", dir.resolve(name + ".png").toFile());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
  }

  // ---- flows ----

  @Test
  void registerLogoutAndLogBackIn(FxRobot robot) {
    registerThroughUi(robot);
    assertThat(text(robot, "#user-name")).isEqualTo("Ann " + me);
    robot.clickOn("#logout");
    await().atMost(WAIT).until(() -> exists(robot, "#login-view"));
    assertThat(client.rememberedSession()).isEmpty();

    robot.clickOn("#username").write(me);
    robot.clickOn("#password").write("wrong password").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> robot.lookup("#form-banner").query().isVisible());
    assertThat(text(robot, "#form-banner")).isEqualTo("wrong username or password");

    robot.doubleClickOn("#password").eraseText(30).write("correct horse").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> exists(robot, "#main-view"));
    assertThat(client.rememberedSession()).isPresent();
  }

  @Test
  void addHostCreateSpaceAndChannelThenChatWithAnotherClient(FxRobot robot) throws Exception {
    registerThroughUi(robot);
    addHostThroughUi(robot);

    robot.clickOn("#create-space");
    robot.clickOn("#space-name").write("Design Team").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> text(robot, "#space-title").equals("Design Team"));

    robot.clickOn("#space-menu");
    robot.clickOn("#menu-create-channel");
    robot.clickOn("#channel-name").write("announcements");
    robot.clickOn("#dialog-ok");
    await().atMost(WAIT).until(() -> exists(robot, "#channel-announcements"));
    await().atMost(WAIT).until(() -> text(robot, "#chat-channel-name").equals("announcements"));

    // invite a second user (a core bot) by username through the UI
    ParchClient bob = bot("bob" + me);
    HostSession bobHost = ready(bob);
    robot.clickOn("#space-menu");
    robot.clickOn("#menu-invite");
    robot.clickOn("#invite-username").write("bob" + me);
    robot.clickOn("#invite-send");
    await().atMost(WAIT).until(() -> text(robot, "#invite-user-result").startsWith("Invite sent to"));
    screenshot(robot, "invite-dialog");
    robot.clickOn("#dialog-cancel");
    await().atMost(WAIT).until(() -> bobHost.invites().get().size() == 1);
    SpaceState bobSpace = bobHost.acceptInvite(bobHost.invites().get().get(0).id()).get(10, TimeUnit.SECONDS);
    Channel ann = bobSpace.channels().get().stream().filter(c -> c.name().equals("announcements")).findFirst().orElseThrow();
    bobHost.openChannel(ann.id()).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> exists(robot, "#member-bob" + me));

    // UI → bot
    robot.clickOn("#composer").write("Hello **Bob**, see https://example.org/spec").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> bobHost.log(ann.id()).lines().stream()
        .anyMatch(l -> l.message().content().equals("Hello **Bob**, see https://example.org/spec")));

    // bot → UI, with a mention, typing first
    bobHost.typing(ann.id());
    await().atMost(WAIT).until(() -> text(robot, "#typing").equals("Bot bob" + me + " is typing\u2026"));
    bobHost.send(ann.id(), "hi @" + me + "! `code` and _style_", null);
    await().atMost(WAIT).until(() -> shownContents(robot).contains("hi @" + me + "! `code` and _style_"));
    bobHost.send(ann.id(), "a second line from me", null);
    await().atMost(WAIT).until(() -> shownContents(robot).contains("a second line from me"));

    // Shift+Enter makes a new line, Enter sends; ↑ edits my last message
    robot.clickOn("#composer").write("line one").press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT)
        .write("line two").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> bobHost.log(ann.id()).lines().stream()
        .anyMatch(l -> l.message().content().equals("line one\nline two")));
    robot.clickOn("#composer").type(KeyCode.UP);
    await().atMost(WAIT).until(() -> text(robot, "#composer-context").startsWith("Editing message"));
    robot.write(" (fixed)").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> bobHost.log(ann.id()).lines().stream()
        .anyMatch(l -> l.message().content().equals("line one\nline two (fixed)") && l.message().editedAt() != null));
    screenshot(robot, "chat-dark");

    // unread badge for a channel not in view
    Channel general = bobSpace.channels().get().stream().filter(c -> !c.id().equals(ann.id())
        && c.kind() == ChannelKind.TEXT).findFirst().orElse(null);
    if (general != null) {
      bobHost.send(general.id(), "ping in " + general.name(), null);
      await().atMost(WAIT).until(() -> exists(robot, "#badge-" + general.name()));
    }

    // light theme
    robot.clickOn("#settings");
    robot.clickOn("Appearance");
    robot.clickOn("#theme-light");
    robot.clickOn("#dialog-cancel");
    screenshot(robot, "chat-light");
    assertThat(client.store().settings().theme()).isEqualTo("light");
  }

  @Test
  void historyLoadsOlderPagesOnScrollUp(FxRobot robot) throws Exception {
    ParchClient owner = bot("hist" + me);
    HostSession ownerHost = ready(owner);
    SpaceState space = ownerHost.createSpace("Archive").get(10, TimeUnit.SECONDS);
    Channel ch = Spaces.textChannel(ownerHost, space);
    ownerHost.openChannel(ch.id()).get(10, TimeUnit.SECONDS);
    int total = 260;
    for (int i = 0; i < total; i++) {
      ownerHost.send(ch.id(), "history message " + i, null);
    }
    await().atMost(WAIT).until(() -> ownerHost.pendingSends() == 0);

    joinThroughUi(robot, ownerHost, space, "Archive");
    await().atMost(WAIT).until(() -> shownContents(robot).contains("history message " + (total - 1)));
    assertThat(shownContents(robot)).hasSize(50);

    // scroll up with the mouse wheel until the channel start
    robot.moveTo("#message-list");
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      robot.interact(() -> messages(robot).scrollTo(0));
      robot.scroll(3, javafx.geometry.VerticalDirection.UP);
      return shownContents(robot).size() == total;
    });
    List<String> shown = shownContents(robot);
    for (int i = 0; i < total; i++) {
      assertThat(shown.get(i)).isEqualTo("history message " + i);
    }
    screenshot(robot, "history");
  }

  @Test
  void searchFindsMessagesAndOpensTheChannelAtOne(FxRobot robot) throws Exception {
    ParchClient owner = bot("srch" + me);
    HostSession ownerHost = ready(owner);
    SpaceState space = ownerHost.createSpace("Search Lab").get(10, TimeUnit.SECONDS);
    Channel general = Spaces.textChannel(ownerHost, space);
    Channel notes = join(ownerHost.createChannel(space.id(), "notes", ChannelKind.TEXT));
    ownerHost.openChannel(general.id()).get(10, TimeUnit.SECONDS);
    // the first hit lies far outside the newest page of its channel
    ownerHost.send(general.id(), "the quarterly zebra report is ready", null);
    int fillers = 150;
    for (int i = 0; i < fillers; i++) {
      ownerHost.send(general.id(), "filler " + i, null);
    }
    ownerHost.send(notes.id(), "Zebra crossing photos from the trip", null);
    await().atMost(WAIT).until(() -> ownerHost.pendingSends() == 0);

    joinThroughUi(robot, ownerHost, space, "Search Lab");
    await().atMost(WAIT).until(() -> text(robot, "#chat-channel-name").equals(general.name()));

    // Ctrl+F opens the search column with the caret in its field
    robot.press(KeyCode.CONTROL).type(KeyCode.F).release(KeyCode.CONTROL);
    await().atMost(WAIT).until(() -> exists(robot, "#search-field") && robot.lookup("#search-field").query().isFocused());
    assertThat(text(robot, "#search-scope")).isEqualTo("In Search Lab");
    robot.type(KeyCode.ENTER);
    assertThat(text(robot, "#search-status")).isEqualTo("Type something to search for.");
    robot.write("okapi").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> text(robot, "#search-status").equals("No results for \u201cokapi\u201d"));
    assertThat(searchResults(robot)).isEmpty();

    robot.eraseText(5).write("zebra").type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> text(robot, "#search-status").equals("2 results"));
    assertThat(searchResults(robot)).containsExactly("Zebra crossing photos from the trip",
        "the quarterly zebra report is ready");
    screenshot(robot, "search");

    // keyboard: Down into the results, Down to the older hit, Enter opens its channel at it
    robot.type(KeyCode.DOWN).type(KeyCode.DOWN).type(KeyCode.ENTER);
    await().atMost(WAIT).until(() -> selectedMessage(robot).equals("the quarterly zebra report is ready"));
    assertThat(text(robot, "#chat-channel-name")).isEqualTo(general.name());
    List<String> window = shownContents(robot);
    assertThat(window).contains("filler 0").doesNotContain("filler " + (fillers - 1));

    // scrolling down pages forward to the newest message
    robot.moveTo("#message-list");
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      robot.interact(() -> messages(robot).scrollTo(messages(robot).getItems().size() - 1));
      robot.scroll(3, javafx.geometry.VerticalDirection.DOWN);
      return shownContents(robot).contains("filler " + (fillers - 1));
    });
    List<String> shown = shownContents(robot);
    int at = shown.indexOf("the quarterly zebra report is ready");
    for (int i = 0; i < fillers; i++) {
      assertThat(shown.get(at + 1 + i)).isEqualTo("filler " + i);
    }

    // a click on the other hit opens the other channel at it; Esc closes the search column
    robot.clickOn("#search-result-0");
    await().atMost(WAIT).until(() -> text(robot, "#chat-channel-name").equals(notes.name()));
    await().atMost(WAIT).until(() -> selectedMessage(robot).equals("Zebra crossing photos from the trip"));
    robot.clickOn("#search-field").type(KeyCode.ESCAPE);
    await().atMost(WAIT).until(() -> !exists(robot, "#search-pane") && exists(robot, "#member-pane"));
    // Ctrl+K reopens it
    robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
    await().atMost(WAIT).until(() -> exists(robot, "#search-pane"));
  }

  @SuppressWarnings("unchecked")
  static List<String> searchResults(FxRobot robot) {
    List<String> out = new ArrayList<>();
    robot.interact(() -> ((ListView<com.parchchat.protocol.api.Message>) robot.lookup("#search-results")
        .queryAs(ListView.class)).getItems().forEach(m -> out.add(m.content())));
    return out;
  }

  static String selectedMessage(FxRobot robot) {
    String[] out = {""};
    robot.interact(() -> {
      ChatLine l = messages(robot).getSelectionModel().getSelectedItem();
      out[0] = l == null ? "" : l.message().content();
    });
    return out[0];
  }

  @Test
  void acceptAnInviteFromTheInbox(FxRobot robot) throws Exception {
    registerThroughUi(robot);
    addHostThroughUi(robot);
    ParchClient carol = bot("carol" + me);
    HostSession carolHost = ready(carol);
    SpaceState space = carolHost.createSpace("Book Club").get(10, TimeUnit.SECONDS);
    carolHost.inviteUser(space.id(), me).get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> robot.lookup("#invites-button").query().isVisible());
    await().atMost(WAIT).until(() -> text(robot, "#notice-banner").contains("invited you to Book Club"));
    robot.clickOn("#invites-button");
    await().atMost(WAIT).until(() -> exists(robot, "#accept-Book-Club"));
    screenshot(robot, "invites");
    robot.clickOn("#accept-Book-Club");
    await().atMost(WAIT).until(() -> text(robot, "#space-title").equals("Book Club"));
    await().atMost(WAIT).until(() -> space.members().get().size() == 2);
    assertThat(uiHost().invites().get()).isEmpty();

    // the next app start resumes the remembered session and opens the saved host and its space
    Path cfg = client.config().configDir();
    ParchClient restarted = new ParchClient(ClientConfig.defaults(cfg).withDefaultRelay(stack.relayUrl()));
    bots.add(restarted);
    robot.interact(() -> {
      AppShell again = new AppShell(restarted, url -> { });
      scene.setRoot(again);
      again.attach(scene);
      again.startup();
    });
    await().atMost(WAIT).until(() -> text(robot, "#host-name").equals("Parch Home"));
    await().atMost(WAIT).until(() -> text(robot, "#space-title").equals("Book Club"));
  }

  static boolean visible(Node n) {
    return n != null && n.isVisible();
  }
}
