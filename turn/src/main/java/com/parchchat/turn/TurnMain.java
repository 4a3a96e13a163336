package com.parchchat.turn;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of parch-turn.jar. */
@Command(
    name = "parch-turn",
    mixinStandardHelpOptions = true,
    description = "The Parch TURN server (RFC 8656) with coturn-compatible options.")
public final class TurnMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(TurnMain.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new TurnMain()).execute(args));
  }

  @Override
  public Integer call() {
    log.error("parch-turn is not implemented yet; see the open issue for this component");
    return 2;
  }
}
