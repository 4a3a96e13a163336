package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.Message;
import com.parchchat.protocol.api.HostReply;
import java.util.List;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

/**
 * Right column while searching (Ctrl+F or Ctrl+K, or the magnifier in the channel header):
 * message search in the current space through the host's {@code message.search}. Each result shows
 * author, channel, time and the matched words highlighted; Enter or a click opens the channel at
 * that message. Keyboard: Enter in the field searches, ↓ moves into the results, ↑ on the first
 * result goes back to the field, Esc closes.
 */
final class SearchPane extends VBox {
  private final MainView main;
  final TextField field = new TextField();
  private final Label scope = new Label();
  private final Label status = new Label();
  private final ProgressIndicator spinner = new ProgressIndicator();
  final ListView<Message> results = new ListView<>();
  private final Button more;
  private HostSession host;
  private SpaceState space;
  private String query = "";
  private Long nextBefore;
  private int generation;

  SearchPane(MainView main) {
    this.main = main;
    getStyleClass().addAll("members", "search-pane");
    setId("search-pane");
    setSpacing(8);

    Label title = Fx.label("Search", "section-title");
    Button close = Fx.button("\u2715", main::closeSearch, "icon");
    close.setId("search-close");
    HBox header = new HBox(8, title, Fx.grow(), close);
    header.setAlignment(Pos.CENTER_LEFT);

    field.setId("search-field");
    field.setPromptText("Search messages");
    field.setOnAction(e -> search());
    field.addEventFilter(KeyEvent.KEY_PRESSED, this::fieldKeys);
    scope.getStyleClass().add("muted");
    scope.setId("search-scope");

    spinner.setPrefSize(16, 16);
    spinner.setMaxSize(16, 16);
    spinner.setVisible(false);
    spinner.managedProperty().bind(spinner.visibleProperty());
    status.setId("search-status");
    status.setWrapText(true);
    status.getStyleClass().add("muted");
    HBox statusRow = new HBox(6, spinner, status);
    statusRow.setAlignment(Pos.CENTER_LEFT);

    results.setId("search-results");
    results.getStyleClass().add("search-results");
    results.setCellFactory(v -> new ResultCell());
    results.addEventFilter(KeyEvent.KEY_PRESSED, this::resultKeys);
    results.setOnMouseClicked(e -> {
      if (e.getButton() == MouseButton.PRIMARY && results.getSelectionModel().getSelectedItem() != null) {
        open(results.getSelectionModel().getSelectedItem());
      }
    });
    results.setPlaceholder(new Label(""));
    VBox.setVgrow(results, Priority.ALWAYS);

    more = Fx.button("More results", this::more, "link");
    more.setId("search-more");
    more.setVisible(false);
    more.managedProperty().bind(more.visibleProperty());

    getChildren().addAll(header, field, scope, statusRow, results, more);
  }

  /** The space searched; a different space clears the results. */
  void setSpace(HostSession h, SpaceState s) {
    if (h == host && s == space) {
      return;
    }
    host = h;
    space = s;
    generation++;
    results.getItems().clear();
    more.setVisible(false);
    spinner.setVisible(false);
    query = "";
    scope.setText(s == null ? "" : "In " + s.space().get().name());
    showStatus(s == null ? "Pick a space to search in." : "Type words and press Enter.", false);
  }

  void focusField() {
    field.requestFocus();
    field.selectAll();
  }

  void search() {
    if (host == null || space == null) {
      showStatus("Pick a space to search in.", true);
      return;
    }
    String q = field.getText() == null ? "" : field.getText().strip();
    if (q.isEmpty()) {
      showStatus("Type something to search for.", true);
      return;
    }
    query = q;
    results.getItems().clear();
    fetch(null);
  }

  private void more() {
    if (nextBefore != null && !query.isEmpty()) {
      fetch(nextBefore);
    }
  }

  private void fetch(Long before) {
    int gen = ++generation;
    String q = query;
    spinner.setVisible(true);
    more.setVisible(false);
    showStatus("Searching\u2026", false);
    Fx.then(host.search(space.id(), q, before), r -> {
      if (gen == generation) {
        show(q, r);
      }
    }, e -> {
      if (gen == generation) {
        failed(e);
      }
    });
  }

  private void show(String q, HostReply.MessagesResult r) {
    spinner.setVisible(false);
    results.getItems().addAll(r.messages());
    List<Message> all = results.getItems();
    nextBefore = all.isEmpty() ? null : all.get(all.size() - 1).id();
    more.setVisible(r.hasMore() && !r.messages().isEmpty());
    if (all.isEmpty()) {
      showStatus("No results for \u201c" + q + "\u201d", false);
    } else {
      showStatus(all.size() + (r.hasMore() ? "+" : "") + (all.size() == 1 ? " result" : " results"), false);
    }
  }

  private void failed(ClientException e) {
    spinner.setVisible(false);
    showStatus("Search failed: " + e.getMessage(), true);
  }

  private void showStatus(String text, boolean error) {
    status.setText(text);
    status.getStyleClass().removeAll("muted", "error-text");
    status.getStyleClass().add(error ? "error-text" : "muted");
  }

  String statusText() {
    return status.getText();
  }

  private void open(Message m) {
    main.openMessage(m);
  }

  private void fieldKeys(KeyEvent e) {
    if (e.getCode() == KeyCode.DOWN && !results.getItems().isEmpty()) {
      e.consume();
      results.requestFocus();
      results.getSelectionModel().select(0);
      results.scrollTo(0);
    } else if (e.getCode() == KeyCode.ESCAPE) {
      e.consume();
      main.closeSearch();
    }
  }

  private void resultKeys(KeyEvent e) {
    if (e.getCode() == KeyCode.ENTER && results.getSelectionModel().getSelectedItem() != null) {
      e.consume();
      open(results.getSelectionModel().getSelectedItem());
    } else if (e.getCode() == KeyCode.UP && results.getSelectionModel().getSelectedIndex() <= 0) {
      e.consume();
      focusField();
    } else if (e.getCode() == KeyCode.ESCAPE) {
      e.consume();
      main.closeSearch();
    }
  }

  private final class ResultCell extends ListCell<Message> {
    @Override
    protected void updateItem(Message m, boolean empty) {
      super.updateItem(m, empty);
      setText(null);
      if (empty || m == null) {
        setGraphic(null);
        setId(null);
        return;
      }
      setId("search-result-" + getIndex());
      Label author = Fx.label(m.author().displayName(), "author");
      String channelName = space == null ? "" : space.channel(m.channelId()).map(Channel::name).orElse("deleted channel");
      Label where = Fx.label("#" + channelName + " \u00b7 " + MessageCell.stamp(m.createdAt()), "timestamp");
      HBox head = new HBox(6, author, where);
      head.setAlignment(Pos.BASELINE_LEFT);
      TextFlow snippet = new TextFlow();
      snippet.getStyleClass().add("search-snippet");
      for (SearchSnippet.Part p : SearchSnippet.of(m.content(), query).parts()) {
        Text t = new Text(p.text());
        t.getStyleClass().add(p.hit() ? "search-hit" : "search-text");
        snippet.getChildren().add(t);
      }
      snippet.prefWidthProperty().bind(results.widthProperty().subtract(36));
      VBox box = new VBox(2, head, snippet);
      box.getStyleClass().add("search-result");
      setGraphic(box);
    }
  }
}
