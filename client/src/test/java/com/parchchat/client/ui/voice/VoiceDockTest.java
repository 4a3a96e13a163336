package com.parchchat.client.ui.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.client.core.ClientConfig;
import com.parchchat.client.core.ParchClient;
import com.parchchat.client.voice.AudioMode;
import com.parchchat.client.voice.VoiceConfig;
import com.parchchat.client.voice.VoiceEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The dock starts the voice engine ahead of the first voice-channel click (the main window calls
 * {@link VoiceDock#prestart} once a space with a voice channel is shown): off the FX thread, once, and
 * {@link VoiceDock#close} releases it. Real libwebrtc (headless audio module).
 */
@ExtendWith(ApplicationExtension.class)
class VoiceDockTest {
  @TempDir
  static Path dir;

  private ParchClient client;
  private VoiceDock dock;

  @Start
  void start(Stage stage) {
    client = new ParchClient(ClientConfig.defaults(dir.resolve("config")));
    dock = new VoiceDock(client, VoiceConfig.headless());
    stage.setScene(new Scene(dock, 300, 200));
    stage.show();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (dock != null) {
      closeOnFxThread(); // as MainView closes it
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void prestartStartsTheEngineOnceOffTheFxThreadAndCloseReleasesIt() throws Exception {
    assertThat(dock.startedEngine()).isNull(); // nothing loaded until asked
    CompletableFuture<Boolean> onFxThread = new CompletableFuture<>();
    Platform.runLater(() -> {
      dock.prestart(); // as Sidebar does, on the FX thread: must return without waiting for libwebrtc
      onFxThread.complete(true);
    });
    assertThat(onFxThread.get(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> dock.startedEngine() != null
        && dock.startedEngine().isDone());
    VoiceEngine engine = dock.startedEngine().get();
    assertThat(engine.mode()).isEqualTo(AudioMode.HEADLESS);
    CompletableFuture<VoiceEngine> first = dock.startedEngine();

    Platform.runLater(dock::prestart); // a second space with a voice channel: same engine, no second start
    org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
    assertThat(dock.startedEngine()).isSameAs(first);
    assertThat(dock.startedEngine().get()).isSameAs(engine);
    assertThat(dock.isVisible()).isFalse(); // nothing shown until a click joins

    closeOnFxThread();
    assertThat(dock.startedEngine()).isNull();
    dock = null;
  }

  private void closeOnFxThread() throws Exception {
    org.testfx.util.WaitForAsyncUtils.asyncFx(dock::close).get(30, TimeUnit.SECONDS);
  }
}
