package com.parchchat.client.voice;

import com.parchchat.client.voice.VoiceDeviceException.Reason;
import com.parchchat.client.voice.VoiceDeviceListener.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts this process's capture and playout streams on the microphone and speaker the user chose, by asking
 * the PulseAudio server (or PipeWire's pulse server) to move them: {@code pactl move-source-output} /
 * {@code move-sink-input}. Needed because webrtc-java 0.14 selects a device by an id that libwebrtc's
 * PulseAudio module leaves empty, so libwebrtc always opens its streams on the default device.
 *
 * <p>Our streams are the source outputs and sink inputs whose {@code application.process.id} is this
 * JVM's PID. libwebrtc opens a new stream whenever it (re)starts recording or playout (a call starts,
 * unmute, renegotiation), so a {@code pactl subscribe} child reports every new stream and the router moves
 * it at once (the first few milliseconds of a new stream use the default device). A chosen device that
 * disappears is reported to the {@link VoiceDeviceListener} (the server has already moved our stream to
 * its default); when it comes back our streams go back to it. Streams someone moves by hand later (e.g.
 * in pavucontrol) are left where they are.
 *
 * <p>{@code pactl} runs with {@code LC_ALL=C} and its plain output is parsed (also works with pactl
 * versions before 16, which lack {@code -f json}). All server work runs on one daemon thread, so choices
 * and stream events are applied in order; callers wait for their choice with a timeout.
 */
public final class PulseDeviceRouter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PulseDeviceRouter.class);
  private static final Pattern HEADER = Pattern.compile("^(Source|Sink|Source Output|Sink Input) #(\\d+)$");
  private static final Pattern EVENT = Pattern.compile("^Event '(new|remove|change)' on ([a-z-]+) #(\\d+)$");
  private static final Pattern PID = Pattern.compile("^application\\.process\\.id = \"(\\d+)\"$");
  private static final Pattern HOST = Pattern.compile("^application\\.process\\.host = \"(.*)\"$");

  /** A source or sink as the server names it ({@code name}) and shows it ({@code description}). */
  public record Device(int index, String name, String description) {
  }

  /**
   * One of the server's streams: index, the device index it is on, the PID and host of its client (-1 and
   * null when unknown).
   */
  record Stream(int index, int device, long pid, String host) {
  }

  private final String pactl;
  /** The server to ask ({@code pactl -s}); null: the one the environment names, as for libwebrtc. */
  private final String server;
  private final Duration timeout;
  /** Whose streams are moved: this JVM's PID in the app. */
  private final long pid;
  /** Our host name as libpulse puts it in {@code application.process.host} (null if unknown). */
  private final String host = hostName();
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "parch-pulse-router");
    t.setDaemon(true);
    return t;
  });
  private final Side capture = new Side(Kind.MICROPHONE, "source", "source-output", "move-source-output",
      "@DEFAULT_SOURCE@", "PULSE_SOURCE");
  private final Side playout = new Side(Kind.SPEAKER, "sink", "sink-input", "move-sink-input",
      "@DEFAULT_SINK@", "PULSE_SINK");
  private volatile VoiceDeviceListener listener = new VoiceDeviceListener() { };
  private volatile Process subscriber;
  private volatile boolean closed;

  /**
   * Connects to the server the environment names (as libpulse does: {@code PULSE_SERVER}, else the user's
   * runtime directory) and starts watching for new streams.
   *
   * @param pactl   the {@code pactl} executable (a name looked up on PATH, or a path)
   * @param timeout for each {@code pactl} command
   * @throws VoiceDeviceException TOOL_MISSING without pactl, SERVER_UNREACHABLE when the server does not answer
   */
  public PulseDeviceRouter(String pactl, Duration timeout) {
    this(pactl, null, ProcessHandle.current().pid(), timeout);
  }

  /** For tests: a given server and the streams of process {@code pid}. */
  PulseDeviceRouter(String pactl, String server, long pid, Duration timeout) {
    this.pactl = pactl;
    this.server = server;
    this.pid = pid;
    this.timeout = timeout;
    try {
      run("info");
    } catch (VoiceDeviceException e) {
      worker.shutdownNow();
      throw e;
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(command("subscribe")).redirectErrorStream(true);
      pb.environment().put("LC_ALL", "C");
      Process p = pb.start();
      p.getOutputStream().close();
      subscriber = p;
      Thread reader = new Thread(() -> readEvents(p), "parch-pulse-events");
      reader.setDaemon(true);
      reader.start();
    } catch (IOException e) {
      worker.shutdownNow();
      throw new VoiceDeviceException(Reason.TOOL_MISSING, "cannot run " + pactl + " subscribe: " + e.getMessage(), e);
    }
  }

  /** A router with {@code pactl} from PATH and a 5 s command timeout. */
  public static PulseDeviceRouter start() {
    return new PulseDeviceRouter("pactl", Duration.ofSeconds(5));
  }

  public void setListener(VoiceDeviceListener l) {
    listener = l == null ? new VoiceDeviceListener() { } : l;
  }

  /** The server's sources (microphones and monitors), in the server's order. */
  public List<Device> sources() {
    return devices("sources", "Source");
  }

  /** The server's sinks (speakers), in the server's order. */
  public List<Device> sinks() {
    return devices("sinks", "Sink");
  }

  /**
   * Puts our capture on source {@code name} now and on every capture stream libwebrtc opens later; null
   * means the default source again (our streams go back to it).
   *
   * @throws VoiceDeviceException DEVICE_GONE when the server has no such source, or another reason
   */
  public void routeCapture(String name) {
    onWorker(() -> capture.choose(name));
  }

  /** Like {@link #routeCapture} for our playout streams and a sink. */
  public void routePlayout(String name) {
    onWorker(() -> playout.choose(name));
  }

  /** The source chosen (null: the default). */
  public String chosenSource() {
    return capture.wanted;
  }

  /** The sink chosen (null: the default). */
  public String chosenSink() {
    return playout.wanted;
  }

  /** Our current streams on the capture side (source outputs of this process), for diagnostics and tests. */
  List<Stream> ourCaptureStreams() {
    return ours(capture);
  }

  List<Stream> ourPlayoutStreams() {
    return ours(playout);
  }

  private void onWorker(Runnable r) {
    if (closed) {
      throw new VoiceDeviceException(Reason.SERVER_UNREACHABLE, "the device router is closed");
    }
    Future<?> f = worker.submit(r);
    try {
      f.get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof VoiceDeviceException v) {
        throw v;
      }
      throw new VoiceDeviceException(Reason.COMMAND_FAILED, "device routing failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new VoiceDeviceException(Reason.SERVER_UNREACHABLE, "the sound server did not answer in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VoiceDeviceException(Reason.COMMAND_FAILED, "interrupted while choosing a device", e);
    }
  }

  private void readEvents(Process p) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Matcher m = EVENT.matcher(line.trim());
        if (!m.matches() || "change".equals(m.group(1))) {
          continue;
        }
        String type = m.group(1);
        String facility = m.group(2);
        for (Side s : List.of(capture, playout)) {
          if (facility.equals(s.streamFacility) && "new".equals(type)) {
            long seen = System.nanoTime();
            post(() -> s.applyToOurStreams(seen));
          } else if (facility.equals(s.deviceFacility)) {
            post(s::checkDevice);
          }
        }
      }
    } catch (IOException e) {
      // the process was stopped
    }
    if (!closed) {
      log.warn("voice: the sound server's event stream ended; chosen devices apply only when chosen again");
    }
  }

  private void post(Runnable r) {
    if (closed) {
      return;
    }
    try {
      worker.execute(() -> {
        try {
          r.run();
        } catch (VoiceDeviceException e) {
          log.warn("voice: device routing: {}", e.getMessage());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** One side (capture or playout): what was chosen and how the server calls its things. */
  private final class Side {
    final Kind kind;
    final String deviceFacility;
    final String streamFacility;
    final String moveCommand;
    final String defaultName;
    final String envDefault;
    volatile String wanted;
    boolean lost;

    Side(Kind kind, String deviceFacility, String streamFacility, String moveCommand, String defaultName,
        String envDefault) {
      this.kind = kind;
      this.deviceFacility = deviceFacility;
      this.streamFacility = streamFacility;
      this.moveCommand = moveCommand;
      this.defaultName = defaultName;
      this.envDefault = envDefault;
    }

    List<Device> devices() {
      return deviceFacility.equals("source") ? sources() : sinks();
    }

    void choose(String name) {
      if (name == null) {
        wanted = null;
        lost = false;
        // back to what libpulse would pick for a new stream: $PULSE_SOURCE/$PULSE_SINK, else the server default
        String env = System.getenv(envDefault);
        String target = env != null && !env.isBlank() && find(env).isPresent() ? env : defaultName;
        for (Stream s : ours(this)) {
          move(s.index(), target);
        }
        return;
      }
      Device d = find(name).orElseThrow(() -> new VoiceDeviceException(Reason.DEVICE_GONE,
          "the " + what() + " '" + name + "' is not there (unplugged?); the default is used"));
      wanted = name;
      lost = false;
      moveOurs(d);
      log.info("voice: {} set to '{}' ({})", what(), d.description(), d.name());
    }

    /** A stream appeared ({@code seen}: when its event was read): ours go to the chosen device. */
    void applyToOurStreams(long seen) {
      String w = wanted;
      if (w == null) {
        return;
      }
      Optional<Device> d = find(w);
      if (d.isEmpty()) {
        checkDevice();
        return;
      }
      int moved = moveOurs(d.get());
      if (moved > 0) {
        log.info("voice: a new {} stream moved to '{}' {} ms after the server announced it", what(), w,
            (System.nanoTime() - seen) / 1_000_000);
      }
    }

    void checkDevice() {
      String w = wanted;
      if (w == null) {
        return;
      }
      Optional<Device> d = find(w);
      if (d.isEmpty() && !lost) {
        lost = true;
        VoiceDeviceException why = new VoiceDeviceException(Reason.DEVICE_GONE,
            "the " + what() + " '" + w + "' went away; the default is used until it is back");
        log.warn("voice: {}", why.getMessage());
        notify(() -> listener.onFallbackToDefault(kind, w, why));
      } else if (d.isPresent() && lost) {
        lost = false;
        moveOurs(d.get());
        log.info("voice: the {} '{}' is back", what(), w);
        notify(() -> listener.onRestored(kind, w));
      }
    }

    /** Moves our streams not on {@code d} yet; how many. */
    private int moveOurs(Device d) {
      int moved = 0;
      for (Stream s : ours(this)) {
        if (s.device() != d.index()) {
          move(s.index(), d.name());
          moved++;
        }
      }
      return moved;
    }

    private void move(int stream, String target) {
      try {
        run(moveCommand, Integer.toString(stream), target);
      } catch (VoiceDeviceException e) {
        // the stream may have ended between listing and moving; only a stream still there is a failure
        boolean stillThere = ours(this).stream().anyMatch(s -> s.index() == stream);
        if (stillThere) {
          throw e;
        }
      }
    }

    private Optional<Device> find(String name) {
      return devices().stream().filter(d -> d.name().equals(name)).findFirst();
    }

    private String what() {
      return kind == Kind.MICROPHONE ? "microphone" : "speaker";
    }

    private void notify(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("voice: device listener failed", e);
      }
    }
  }

  private List<Device> devices(String listWhat, String header) {
    List<Device> out = new ArrayList<>();
    int index = -1;
    String name = null;
    String description = null;
    for (String raw : run("list", listWhat).split("\n", -1)) {
      Matcher h = HEADER.matcher(raw);
      if (h.matches() || raw.isEmpty()) {
        if (index >= 0 && name != null) {
          out.add(new Device(index, name, description == null ? name : description));
        }
        index = h.matches() && h.group(1).equals(header) ? Integer.parseInt(h.group(2)) : -1;
        name = null;
        description = null;
        continue;
      }
      String line = raw.trim();
      if (raw.startsWith("\tName: ")) {
        name = line.substring("Name: ".length());
      } else if (raw.startsWith("\tDescription: ")) {
        description = line.substring("Description: ".length());
      }
    }
    if (index >= 0 && name != null) {
      out.add(new Device(index, name, description == null ? name : description));
    }
    return out;
  }

  private List<Stream> ours(Side side) {
    String header = side == capture ? "Source Output" : "Sink Input";
    String deviceKey = side == capture ? "\tSource: " : "\tSink: ";
    List<Stream> all = new ArrayList<>();
    int index = -1;
    int device = -1;
    long owner = -1;
    String ownerHost = null;
    for (String raw : (run("list", side == capture ? "source-outputs" : "sink-inputs") + "\n").split("\n", -1)) {
      Matcher h = HEADER.matcher(raw);
      if (h.matches() || raw.isEmpty()) {
        if (index >= 0) {
          all.add(new Stream(index, device, owner, ownerHost));
        }
        index = h.matches() && h.group(1).equals(header) ? Integer.parseInt(h.group(2)) : -1;
        device = -1;
        owner = -1;
        ownerHost = null;
        continue;
      }
      if (raw.startsWith(deviceKey)) {
        device = parseInt(raw.substring(deviceKey.length()).trim());
      } else {
        Matcher p = PID.matcher(raw.trim());
        Matcher o = HOST.matcher(raw.trim());
        if (p.matches()) {
          owner = Long.parseLong(p.group(1));
        } else if (o.matches()) {
          ownerHost = o.group(1);
        }
      }
    }
    // the same PID on another machine (a network sound server) is not us
    return all.stream().filter(s -> s.pid() == pid && (s.host() == null || host == null || s.host().equals(host)))
        .toList();
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(pactl);
    if (server != null) {
      cmd.add("-s");
      cmd.add(server);
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String hostName() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Runs {@code pactl args} with C messages; its output, or a typed error. */
  private String run(String... args) {
    List<String> cmd = command(args);
    java.nio.file.Path out;
    try {
      out = java.nio.file.Files.createTempFile("parch-pactl", ".txt");
    } catch (IOException e) {
      throw new VoiceDeviceException(Reason.COMMAND_FAILED, "cannot create a temp file: " + e.getMessage(), e);
    }
    try {
      // output to a file, so a server that never answers cannot block us on a pipe: waitFor bounds it
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("LC_ALL", "C");
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new VoiceDeviceException(Reason.TOOL_MISSING, "cannot run " + pactl
            + " (install pulseaudio-utils to choose PulseAudio devices): " + e.getMessage(), e);
      }
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new VoiceDeviceException(Reason.SERVER_UNREACHABLE, "pactl " + args[0] + " did not finish in time");
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new VoiceDeviceException(Reason.COMMAND_FAILED, "interrupted while running pactl", e);
      }
      String text = java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        Reason r = text.contains("Connection failure") || text.contains("Connection refused")
            ? Reason.SERVER_UNREACHABLE
            : text.contains("No such entity") ? Reason.DEVICE_GONE : Reason.COMMAND_FAILED;
        throw new VoiceDeviceException(r, "pactl " + String.join(" ", args) + ": " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new VoiceDeviceException(Reason.COMMAND_FAILED, "pactl " + args[0] + ": " + e.getMessage(), e);
    } finally {
      try {
        java.nio.file.Files.deleteIfExists(out);
      } catch (IOException e) {
        // a temp file left behind
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    Process p = subscriber;
    if (p != null) {
      p.destroy();
    }
    worker.shutdownNow();
  }
}
