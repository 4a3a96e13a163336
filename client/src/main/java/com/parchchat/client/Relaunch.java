package com.parchchat.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Starts the client once more in a JVM tuned for a small desktop app, because {@code java -jar}
 * gives it the server defaults (G1 sized for the machine, two JIT tiers, a 240 MB code cache, no
 * application class-data archive). The parent is a plain JVM that loads nothing of the app: it
 * starts the child with the same standard streams, waits until the child has shown its window
 * (the child deletes a marker file) or has exited, and then exits itself — with the child's exit
 * code when the child ended first, so start-up errors still reach the shell.
 *
 * <p>The child uses an AppCDS archive in {@code $XDG_CACHE_HOME/parch/cds}: the first launch of a
 * given jar writes it at exit ({@code -XX:ArchiveClassesAtExit}), later launches map it
 * ({@code -XX:SharedArchiveFile}); the file name hashes the jar's path, size and modification time
 * and the Java version, so a new jar or JDK gets a new archive and old ones are deleted.
 *
 * <p>Opt out with {@code PARCH_NO_RELAUNCH=1}; add JVM options to the child with
 * {@code PARCH_JAVA_OPTIONS}. A JVM that already carries {@code -Dparch.tuned=true} (the child
 * itself, the jpackage app image, whose launcher passes the same options) runs in-process.
 */
public final class Relaunch {
  /** Set on the child (and in the jpackage image): the JVM is already tuned, do not relaunch. */
  static final String TUNED = "parch.tuned";
  /** Epoch millis at which the user's launch started, for the "window shown" figure. */
  static final String STARTED = "parch.launch.started";
  /** A file the child deletes once its window is shown, so the parent may exit. */
  static final String READY_FILE = "parch.launch.ready";

  /**
   * JVM options of the child (and of the jpackage image). Serial GC with a small initial heap that
   * is returned to the OS, C1 only with a small code cache (a chat UI never needs C2's peak
   * throughput, and C2's compiler threads and code cost tens of MB), smaller thread stacks.
   * Public so that benches and tests which start a client-like JVM run it exactly as a user's
   * desktop app runs, and cannot drift from it.
   */
  public static final List<String> TUNED_OPTIONS = List.of(
      "-XX:+UseSerialGC",
      "-Xms16m",
      "-Xmx512m",
      "-XX:MinHeapFreeRatio=10",
      "-XX:MaxHeapFreeRatio=30",
      "-XX:TieredStopAtLevel=1",
      "-XX:ReservedCodeCacheSize=48m",
      "-XX:CICompilerCount=1",
      "-Xss512k",
      "-XX:-UsePerfData",
      "-D" + TUNED + "=true");

  private Relaunch() {
  }

  /** Whether this JVM should start a tuned child instead of running the app itself. */
  static boolean wanted(String[] args, Map<String, String> env) {
    if (Boolean.getBoolean(TUNED) || "1".equals(env.get("PARCH_NO_RELAUNCH"))
        || "true".equalsIgnoreCase(env.get("PARCH_NO_RELAUNCH"))) {
      return false;
    }
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return false;
      }
    }
    return ownJar() != null && Files.isExecutable(javaExecutable());
  }

  /** Runs the child; returns the exit code the parent should exit with. */
  static int run(String[] args, Map<String, String> env) throws IOException, InterruptedException {
    Path jar = ownJar();
    Path ready = Files.createTempFile("parch-launch-", ".pending");
    List<String> cmd = command(jar, args, env, ready, ManagementFactory.getRuntimeMXBean().getInputArguments());
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    // GTK probes OpenGL when it opens the display (for GtkGLArea, which JavaFX never uses; Prism
    // makes its own GLX context): with Mesa's software driver that maps libLLVM and swrast_dri,
    // ≈ 50 MB resident for nothing. A user's own setting wins.
    pb.environment().putIfAbsent("GDK_GL", "disable");
    pb.environment().putIfAbsent("GDK_DEBUG", "gl-disable");
    Process child = pb.start();
    try {
      while (true) {
        if (child.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return child.exitValue();
        }
        if (!Files.exists(ready)) {
          return 0;
        }
      }
    } finally {
      Files.deleteIfExists(ready);
    }
  }

  static List<String> command(Path jar, String[] args, Map<String, String> env, Path ready,
                              List<String> parentJvmArgs) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable().toString());
    boolean ownGc = parentJvmArgs.stream().anyMatch(a -> a.startsWith("-XX:+Use") && a.endsWith("GC"));
    for (String o : TUNED_OPTIONS) {
      if (!(ownGc && o.equals("-XX:+UseSerialGC"))) {
        cmd.add(o);
      }
    }
    cmd.addAll(cdsOptions(jar, env));
    // the user's own options (java -Dprism.order=sw -jar …) come after ours so they win
    for (String a : parentJvmArgs) {
      if (!a.startsWith("-D" + TUNED)) {
        cmd.add(a);
      }
    }
    String extra = env.get("PARCH_JAVA_OPTIONS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    long started = ManagementFactory.getRuntimeMXBean().getStartTime();
    cmd.add("-D" + STARTED + "=" + started);
    cmd.add("-D" + READY_FILE + "=" + ready);
    cmd.add("-cp");
    cmd.add(jar.toString());
    cmd.add(ClientLauncher.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Maps the jar's AppCDS archive when it exists, else asks this run to write it at exit. Any
   * trouble with the cache dir just means no archive.
   */
  static List<String> cdsOptions(Path jar, Map<String, String> env) {
    if ("0".equals(env.get("PARCH_CDS"))) {
      return List.of();
    }
    try {
      Path dir = cacheDir(env).resolve("cds");
      Files.createDirectories(dir);
      String name = "client-" + archiveKey(jar) + ".jsa";
      Path archive = dir.resolve(name);
      if (Files.isRegularFile(archive) && Files.size(archive) > 0) {
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
      }
      try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "client-*.jsa")) {
        for (Path p : old) {
          Files.deleteIfExists(p);
        }
      }
      return List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  static Path cacheDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "parch");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "parch");
  }

  static String archiveKey(Path jar) throws IOException {
    String id = jar.toAbsolutePath() + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis()
        + "|" + System.getProperty("java.vm.version");
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The jar this class was loaded from, or null when running from classes (tests, IDE). */
  static Path ownJar() {
    try {
      var src = Relaunch.class.getProtectionDomain().getCodeSource();
      if (src == null) {
        return null;
      }
      Path p = Path.of(src.getLocation().toURI());
      return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  static Path javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** Set by {@link #chooseRenderer} when it forced Prism's software pipeline from the remembered probe. */
  static final String SW_FROM_PROBE = "parch.prism.swFromProbe";
  /** How long a remembered "no usable GPU" holds before the OpenGL pipeline is tried again. */
  static final long RENDERER_MEMORY_MILLIS = 30L * 24 * 3600 * 1000;

  /**
   * Before JavaFX starts: when an earlier launch on this display setup found that Prism's OpenGL
   * pipeline is refused (no qualified GPU, e.g. Mesa's llvmpipe under Xvfb or a VM), go straight
   * to the software pipeline. Probing costs ≈ 60 MB of resident memory for nothing: Mesa's
   * {@code libLLVM} and {@code swrast_dri} stay mapped after Prism has fallen back to software.
   * A {@code -Dprism.order} of the user's own always wins.
   */
  public static void chooseRenderer(Map<String, String> env) {
    if (System.getProperty("prism.order") != null) {
      return;
    }
    try {
      Path marker = rendererMarker(env);
      if (Files.isRegularFile(marker)
          && System.currentTimeMillis() - Files.getLastModifiedTime(marker).toMillis() < RENDERER_MEMORY_MILLIS) {
        System.setProperty("prism.order", "sw");
        System.setProperty(SW_FROM_PROBE, "true");
      }
    } catch (IOException | RuntimeException e) {
      // no memory of the probe: JavaFX probes as usual
    }
  }

  /**
   * After the window is shown: remembers that Prism fell back to software although OpenGL was
   * allowed (next launches skip the probe, see {@link #chooseRenderer}), or forgets it when the
   * OpenGL pipeline worked. {@code pipeline} is Prism's pipeline class name.
   */
  public static void rememberRenderer(String pipeline, Map<String, String> env) {
    if (pipeline == null || Boolean.getBoolean(SW_FROM_PROBE) || System.getProperty("prism.order") != null) {
      return;
    }
    try {
      Path marker = rendererMarker(env);
      if (pipeline.endsWith(".SWPipeline")) {
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "Prism fell back to software rendering; OpenGL is not probed again until "
            + "this file is older than 30 days or removed\n");
      } else {
        Files.deleteIfExists(marker);
      }
    } catch (IOException | RuntimeException e) {
      // next launch probes again
    }
  }

  /**
   * The remembered probe result for this display setup: the GPU device nodes, the kind of session
   * (a desktop session and a bare Xvfb differ here) and the Java version.
   */
  static Path rendererMarker(Map<String, String> env) throws IOException {
    StringBuilder id = new StringBuilder(System.getProperty("java.vm.version", ""));
    for (String k : List.of("XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "WAYLAND_DISPLAY")) {
      id.append('|').append(k).append('=').append(env.getOrDefault(k, ""));
    }
    Path dri = Path.of("/dev/dri");
    if (Files.isDirectory(dri)) {
      try (var s = Files.list(dri)) {
        s.map(p -> p.getFileName().toString()).sorted().forEach(n -> id.append('|').append(n));
      }
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(id.toString().getBytes(StandardCharsets.UTF_8));
      return cacheDir(env).resolve("prism").resolve("software-" + HexFormat.of().formatHex(d, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** In the child: the window is shown, let the waiting parent go. */
  public static void windowShown() {
    String f = System.getProperty(READY_FILE);
    if (f != null) {
      try {
        Files.deleteIfExists(Path.of(f));
      } catch (IOException e) {
        // the parent then waits until we exit, which is harmless
      }
    }
  }

  /** Millis since the user's launch started (the parent's start when relaunched). */
  public static long sinceLaunch() {
    long started = Long.getLong(STARTED, 0L);
    if (started > 0) {
      return System.currentTimeMillis() - started;
    }
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }
}
