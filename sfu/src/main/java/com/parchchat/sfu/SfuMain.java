package com.parchchat.sfu;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of parch-sfu.jar. */
@Command(
    name = "parch-sfu",
    mixinStandardHelpOptions = true,
    description = "The Parch SFU: forwards Opus voice between the members of a voice channel (ICE-lite, DTLS-SRTP, one UDP port).")
public final class SfuMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(SfuMain.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new SfuMain()).execute(args));
  }

  @Override
  public Integer call() {
    log.error("parch-sfu is not implemented yet; see the open issue for this component");
    return 2;
  }
}
