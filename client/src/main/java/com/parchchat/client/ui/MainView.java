package com.parchchat.client.ui;

import com.parchchat.client.core.ParchClient;
import java.util.function.Consumer;
import javafx.scene.layout.BorderPane;

/** The signed-in screen. */
public final class MainView extends BorderPane {
  MainView(ParchClient client, AppShell shell, Consumer<String> openUrl) {
    setId("main-view");
  }

  void close() {}
}
