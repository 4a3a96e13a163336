package com.parchchat.client;

import com.parchchat.client.ui.ParchApp;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javafx.application.Application;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Main class of parch-client.jar. It must not extend {@code javafx.application.Application}:
 * with JavaFX on the class path (not the module path) the launcher refuses such a main class.
 * Under {@code java -jar} it first starts the app again in a tuned JVM ({@link Relaunch}).
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

  public static void main(String[] args) throws Exception {
    // decided before picocli, logging or JavaFX load anything: the parent should stay tiny
    if (Relaunch.wanted(args, System.getenv())) {
      System.exit(Relaunch.run(args, System.getenv()));
    }
    int code = new CommandLine(new ClientLauncher()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    returnIdleMemory();
    Relaunch.chooseRenderer(System.getenv());
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

  /**
   * A chat client sits idle most of the time. With the default G1 settings on a big machine the
   * heap it grew during start-up stays committed; these manageable flags make G1 collect now and
   * then while idle and give unused heap back to the OS. A JVM without them (another collector)
   * just keeps its defaults. The tuned child runs the serial collector, which has no periodic
   * collection: one full collection after start-up (and the network's first burst) shrinks its
   * heap to what the app keeps ({@code MaxHeapFreeRatio}).
   */
  static void returnIdleMemory() {
    if (Boolean.getBoolean(Relaunch.TUNED)) {
      Thread trim = new Thread(() -> {
        try {
          Thread.sleep(20_000);
          System.gc();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "parch-heap-trim");
      trim.setDaemon(true);
      trim.start();
    }
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      vm.setVMOption("MinHeapFreeRatio", "10");
      vm.setVMOption("MaxHeapFreeRatio", "30");
      vm.setVMOption("G1PeriodicGCInterval", "15000");
    } catch (IllegalArgumentException | SecurityException e) {
      LoggerFactory.getLogger(ClientLauncher.class).debug("cannot tune idle heap: {}", e.getMessage());
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ClientLauncher.class.getPackage().getImplementationVersion();
      return new String[] {"parch-client " + (v == null ? "dev" : v)};
    }
  }
}
