package com.parchchat.host;

import com.parchchat.host.config.HostConfig;
import com.parchchat.host.relaylink.RelayLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the optional status window; the host runs headless when JavaFX is not available. */
final class StatusWindowLauncher {
  private static final Logger log = LoggerFactory.getLogger(StatusWindowLauncher.class);

  private StatusWindowLauncher() {}

  static void launch(HostConfig config, RelayLink link, HostService service) {
    log.warn("--gui: the status window is not part of this build; running headless (Host Key {})", config.hostId());
  }
}
