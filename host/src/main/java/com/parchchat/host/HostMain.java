package com.parchchat.host;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of parch-host.jar. */
@Command(
    name = "parch-host",
    mixinStandardHelpOptions = true,
    description = "A Parch host: owns one community's spaces, channels, members and messages; connects out to a relay.")
public final class HostMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(HostMain.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new HostMain()).execute(args));
  }

  @Override
  public Integer call() {
    log.error("parch-host is not implemented yet; see the open issue for this component");
    return 2;
  }
}
