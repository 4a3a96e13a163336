package com.parchchat.bench;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of parch-bench.jar. */
@Command(
    name = "parch-bench",
    mixinStandardHelpOptions = true,
    description = "Parch benchmarks and load tools.")
public final class BenchMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public Integer call() {
    log.error("parch-bench is not implemented yet; see the open issue for this component");
    return 2;
  }
}
