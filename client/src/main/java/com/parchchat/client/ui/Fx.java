package com.parchchat.client.ui;

import com.parchchat.client.core.ClientException;
import com.parchchat.client.core.Subscription;
import com.parchchat.client.core.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/** Small helpers that adapt {@code client.core} observables and futures onto the FX thread. */
final class Fx {
  private Fx() {}

  static void run(Runnable r) {
    if (Platform.isFxApplicationThread()) {
      r.run();
    } else {
      Platform.runLater(r);
    }
  }

  /** Calls {@code onFx} on the FX thread now and whenever the value changes. */
  static <T> Subscription bind(Value<T> value, Consumer<T> onFx) {
    Subscription s = value.listen(v -> run(() -> onFx.accept(value.get())));
    run(() -> onFx.accept(value.get()));
    return s;
  }

  /** Completes on the FX thread: exactly one of the two callbacks runs. */
  static <T> void then(CompletableFuture<T> f, Consumer<T> ok, Consumer<ClientException> failed) {
    f.whenComplete((v, err) -> run(() -> {
      if (err != null) {
        failed.accept(ClientException.of(err));
      } else {
        ok.accept(v);
      }
    }));
  }

  static Label label(String text, String... classes) {
    Label l = new Label(text);
    l.getStyleClass().addAll(classes);
    return l;
  }

  static Button button(String text, Runnable action, String... classes) {
    Button b = new Button(text);
    b.getStyleClass().addAll(classes);
    b.setOnAction(e -> action.run());
    return b;
  }

  static Region grow() {
    Region r = new Region();
    HBox.setHgrow(r, Priority.ALWAYS);
    return r;
  }

  /** A CSS-selectable id made from user text (spaces and symbols become '-'). */
  static String cssId(String prefix, String text) {
    return prefix + text.replaceAll("[^A-Za-z0-9_-]", "-");
  }

  static <T extends Node> T id(T node, String id) {
    node.setId(id);
    return node;
  }

  /** Collects subscriptions of one view so they can all be closed when it goes away. */
  static final class Subscriptions implements Subscription {
    private final List<Subscription> all = new ArrayList<>();

    void add(Subscription s) {
      all.add(s);
    }

    @Override
    public void close() {
      all.forEach(Subscription::close);
      all.clear();
    }
  }
}
