package com.parchchat.e2e.host;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** One of our service jars running as a real OS process, its output captured to a file. */
final class JarProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String name;

  private JarProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static Path jar(String property) {
    String path = System.getProperty(property);
    if (path == null) {
      throw new IllegalStateException("system property " + property + " is not set (run through Maven)");
    }
    Path p = Path.of(path);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("jar not built: " + p);
    }
    return p;
  }

  static JarProcess start(String name, Path jar, Path logFile, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    Files.createDirectories(logFile.getParent());
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    return new JarProcess(name, p, logFile);
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits until the output (since start of the log file) matches {@code regex}; returns group 1. */
  String awaitOutput(String regex, Duration timeout) {
    Pattern p = Pattern.compile(regex);
    String[] found = new String[1];
    Awaitility.await(name + " prints " + regex).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
      }
      Matcher m = p.matcher(output());
      String last = null;
      while (m.find()) {
        last = m.groupCount() > 0 ? m.group(1) : m.group();
      }
      found[0] = last;
      return last != null;
    });
    return found[0];
  }

  /** How often {@code regex} matches the output so far. */
  int countOutput(String regex) {
    Matcher m = Pattern.compile(regex).matcher(output());
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush, like a power cut for the process. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
