package com.parchchat.host;

import com.parchchat.host.config.HostConfig;
import com.parchchat.host.gui.LogTail;
import com.parchchat.host.gui.StatusModel;
import com.parchchat.host.gui.StatusWindow;
import com.parchchat.host.relaylink.RelayLink;
import com.parchchat.protocol.signal.UserRef;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the optional status window. JavaFX is started without an {@code Application} subclass
 * (so the shaded jar needs no module-path setup); when no display is available the host logs
 * why and keeps running headless.
 */
final class StatusWindowLauncher {
  private static final Logger log = LoggerFactory.getLogger(StatusWindowLauncher.class);

  private StatusWindowLauncher() {}

  static void launch(HostConfig config, RelayLink link, HostService service) {
    LogTail tail = LogTail.install(300);
    StatusModel model = new StatusModel() {
      @Override
      public String name() {
        return config.name();
      }

      @Override
      public String hostKey() {
        return config.hostId();
      }

      @Override
      public String relayStatus() {
        return link.state().name().toLowerCase(java.util.Locale.ROOT) + " (" + link.uri() + ")";
      }

      @Override
      public List<String> onlineUsers() {
        List<String> out = new ArrayList<>();
        for (UserRef u : service.sessions().onlineUsers()) {
          out.add(u.displayName() + " (@" + u.username() + ")");
        }
        return out;
      }

      @Override
      public List<String> logLines() {
        return tail.lines();
      }
    };
    try {
      Platform.setImplicitExit(false);
      Platform.startup(() -> {
        StatusWindow window = new StatusWindow(model);
        Stage stage = new Stage();
        stage.setTitle("Parch host — " + config.name());
        stage.setScene(window.scene());
        stage.setOnHidden(e -> window.stop());
        window.start();
        stage.show();
      });
      log.info("status window open (closing it leaves the host running)");
    } catch (RuntimeException | LinkageError e) {
      tail.uninstall();
      log.warn("--gui: cannot open the status window ({}); running headless", e.toString());
    }
  }
}
