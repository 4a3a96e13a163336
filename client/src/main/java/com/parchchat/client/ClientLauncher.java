package com.parchchat.client;

import com.parchchat.client.ui.ParchApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javafx.application.Application;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Main class of parch-client.jar. It must not extend {@code javafx.application.Application}:
 * with JavaFX on the class path (not the module path) the launcher refuses such a main class.
 */
@Command(
    name = "parch-client",
    mixinStandardHelpOptions = true,
    versionProvider = ClientLauncher.Version.class,
    description = "The Parch desktop client (JavaFX).")
public final class ClientLauncher implements Callable<Integer> {

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "Where hosts.json, session.json and settings.json live "
          + "(default: $XDG_CONFIG_HOME/parch or ~/.config/parch).")
  Path configDir;

  @Option(names = "--relay", paramLabel = "URL",
      description = "Relay offered on the login screen (default: http://127.0.0.1:7800).")
  String relay;

  public static void main(String[] args) {
    int code = new CommandLine(new ClientLauncher()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    List<String> fxArgs = new ArrayList<>();
    if (configDir != null) {
      fxArgs.add("--config-dir=" + configDir.toAbsolutePath());
    }
    if (relay != null) {
      fxArgs.add("--relay=" + relay);
    }
    Application.launch(ParchApp.class, fxArgs.toArray(new String[0]));
    return 0;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ClientLauncher.class.getPackage().getImplementationVersion();
      return new String[] {"parch-client " + (v == null ? "dev" : v)};
    }
  }
}
