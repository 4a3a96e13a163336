package com.parchchat.client.ui;

import com.parchchat.client.Relaunch;
import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.ConfigDirs;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.core.RelayUrls;
import java.nio.file.Path;
import java.util.Map;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;
import java.lang.management.ManagementFactory;
import javafx.application.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JavaFX application. Started by {@code ClientLauncher} (which must not itself extend
 * {@link Application}); named parameters {@code --config-dir=} and {@code --relay=} come from the
 * launcher's flags.
 */
public final class ParchApp extends Application {
  private static final Logger log = LoggerFactory.getLogger(ParchApp.class);
  private ParchClient client;
  private AppShell shell;

  @Override
  public void start(Stage stage) {
    Map<String, String> named = getParameters().getNamed();
    String dir = named.get("config-dir");
    ClientConfig config = ClientConfig.defaults(ConfigDirs.resolve(dir == null ? null : Path.of(dir)));
    String relay = named.get("relay");
    if (relay != null && !relay.isBlank()) {
      config = config.withDefaultRelay(RelayUrls.parse(relay));
    }
    client = new ParchClient(config);
    shell = new AppShell(client, getHostServices()::showDocument);
    Scene scene = new Scene(shell, 1280, 800);
    shell.attach(scene);
    stage.setTitle("Parch");
    stage.setMinWidth(900);
    stage.setMinHeight(560);
    stage.setScene(scene);
    stage.show();
    shell.startup();
    Platform.runLater(() -> {
      log.info("window shown {} ms after launch ({} ms after JVM start, pid {})", Relaunch.sinceLaunch(),
          ManagementFactory.getRuntimeMXBean().getUptime(), ProcessHandle.current().pid());
      Relaunch.windowShown();
      Relaunch.rememberRenderer(prismPipeline(), System.getenv());
    });
  }

  /** Prism's pipeline class (JavaFX internals, read reflectively), or null if it cannot be told. */
  static String prismPipeline() {
    try {
      Object p = Class.forName("com.sun.prism.GraphicsPipeline").getMethod("getPipeline").invoke(null);
      return p == null ? null : p.getClass().getName();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  @Override
  public void stop() {
    if (shell != null) {
      shell.close();
    }
    if (client != null) {
      client.close();
    }
  }
}
