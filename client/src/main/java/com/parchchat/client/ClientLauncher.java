package com.parchchat.client;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main class of parch-client.jar. It must not extend {@code javafx.application.Application}:
 * with JavaFX on the class path (not the module path) the launcher refuses such a main class.
 */
@Command(
    name = "parch-client",
    mixinStandardHelpOptions = true,
    description = "The Parch desktop client (JavaFX).")
public final class ClientLauncher implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ClientLauncher.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new ClientLauncher()).execute(args));
  }

  @Override
  public Integer call() {
    log.error("parch-client is not implemented yet; see the open issue for the client");
    return 2;
  }
}
