package com.parchchat.relay;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of parch-relay.jar. */
@Command(
    name = "parch-relay",
    mixinStandardHelpOptions = true,
    description = "The Parch relay: accounts, host registry, routing between clients and hosts, voice credentials.")
public final class RelayMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RelayMain.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new RelayMain()).execute(args));
  }

  @Override
  public Integer call() {
    log.error("parch-relay is not implemented yet; see the open issue for this component");
    return 2;
  }
}
