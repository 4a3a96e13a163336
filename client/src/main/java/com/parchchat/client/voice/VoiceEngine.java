package com.parchchat.client.voice;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDevice;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioPlayer;
import dev.onvoid.webrtc.media.audio.AudioProcessing;
import dev.onvoid.webrtc.media.audio.AudioProcessingConfig;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's voice engine: one libwebrtc (webrtc-java 0.14) peer-connection factory with its audio
 * device module and audio processing, shared by the calls it starts.
 *
 * <p>Native pitfalls guarded here: the default device module aborts the JVM when no PulseAudio server
 * is reachable, so {@link AudioMode#DEVICE} first checks for one and otherwise falls back to the
 * headless module; playout is started only after the factory exists; {@link #close()} closes every
 * call before disposing factory, then module, then audio processing (the reverse order segfaults),
 * and is idempotent. The factory's native threads are non-daemon: close the engine before exiting.
 */
public final class VoiceEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VoiceEngine.class);

  private final VoiceConfig config;
  private final AudioMode mode;
  private final AudioDeviceModuleBase adm;
  private final AudioProcessing apm;
  private final PeerConnectionFactory factory;
  private final Set<VoiceCall> calls = ConcurrentHashMap.newKeySet();
  private final Map<String, Double> volumes = new ConcurrentHashMap<>();
  private final PlayoutMixer mixer = new PlayoutMixer(u -> volumes.getOrDefault(u, 1.0));
  /**
   * Plays {@link #mixer} on the speaker; null while libwebrtc's own playout is used. Only started in
   * DEVICE mode while some member's volume is neither 0 nor 100 %: libwebrtc's own playout feeds its
   * echo canceller the far-end reference, our player does not, so the default path stays libwebrtc's.
   */
  private volatile AudioPlayer player;
  /** The speaker chosen with {@link #selectSpeaker} (null: the first one). */
  private volatile AudioDevice speaker;
  /** The microphone chosen with {@link #selectMicrophone} (null: the default). */
  private volatile AudioDevice microphone;
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * Moves our PulseAudio streams to the chosen devices (webrtc-java 0.14 cannot select them itself); null
   * in HEADLESS mode, or when pactl is missing or the server does not answer it (then choices behave as
   * before: only the default device, and a typed error).
   */
  private final PulseDeviceRouter router;
  /** Why {@link #router} is null in DEVICE mode (null when it runs). */
  private final VoiceDeviceException routerProblem;
  /** The synthetic microphone on the headless module's capture path; null until a tone call needs it. */
  private ToneMicrophone toneMicrophone;

  public VoiceEngine(VoiceConfig config) {
    this.config = config;
    AudioMode wanted = config.audioMode();
    if (wanted == AudioMode.DEVICE && !pulseAudioReachable()) {
      log.warn("no PulseAudio server reachable; voice runs without audio devices (headless)");
      wanted = AudioMode.HEADLESS;
    }
    this.mode = wanted;
    AudioProcessing processing = null;
    AudioDeviceModuleBase module = null;
    PeerConnectionFactory f = null;
    try {
      processing = new AudioProcessing();
      processing.applyConfig(processingConfig(config));
      module = mode == AudioMode.DEVICE ? new AudioDeviceModule(AudioLayer.kLinuxPulseAudio)
          : new HeadlessAudioDeviceModule();
      f = new PeerConnectionFactory(module, processing);
      if (mode == AudioMode.HEADLESS) {
        // webrtc-java's headless module plays (pulls received audio every 10 ms) only once started here
        module.initPlayout();
        module.startPlayout();
      }
      // DEVICE: libwebrtc starts the device's playout when a call's first receive stream starts and stops it
      // when the last one ends, so an engine started ahead of the first click (ui.voice.VoiceDock#prestart)
      // costs no CPU while idle: a playout stream started here played silence to the sound server every
      // 10 ms, 1.3 % of a core in the client alone (measured, 2026-11-28)
    } catch (RuntimeException | Error e) {
      if (f != null) {
        f.dispose();
      }
      if (module != null) {
        module.dispose();
      }
      if (processing != null) {
        processing.dispose();
      }
      throw new VoiceException("cannot start the voice engine: " + e.getMessage(), e);
    }
    this.apm = processing;
    this.adm = module;
    this.factory = f;
    PulseDeviceRouter r = null;
    VoiceDeviceException problem = null;
    if (mode == AudioMode.DEVICE) {
      try {
        r = PulseDeviceRouter.start();
      } catch (VoiceDeviceException e) {
        problem = e;
        log.warn("voice: microphone and speaker choices cannot be applied on PulseAudio ({}); the default"
            + " devices are used", e.getMessage());
      }
    }
    this.router = r;
    this.routerProblem = problem;
    log.info("voice engine started ({} audio{})", mode, r != null ? ", PulseAudio device routing" : "");
  }

  /**
   * Starts webrtc-java's {@link AudioPlayer} on {@code device} (or the first speaker) with the per-user
   * {@link PlayoutMixer} as its source. When that fails, playout stays libwebrtc's own mix, where a
   * member's volume can only be on or off.
   */
  private void startPlayer(AudioDevice device) {
    try {
      AudioDevice d = device;
      if (d == null) {
        List<AudioDevice> speakers = adm.getPlayoutDevices();
        d = speakers.isEmpty() ? null : speakers.get(0);
      }
      if (d == null) {
        log.warn("voice: no speaker found; per-user volume is on/off only");
        return;
      }
      AudioPlayer p = new AudioPlayer();
      p.setAudioDevice(d);
      p.setAudioSource(mixer);
      p.start();
      player = p;
    } catch (RuntimeException | Error e) {
      log.warn("voice: cannot start the per-user playout mixer ({}); per-user volume is on/off only", e.toString());
      player = null;
    }
  }

  /**
   * The per-user playout mix. In DEVICE mode a player pulls it to the speaker; in HEADLESS mode nothing
   * does unless a caller (a test, a recorder) pulls it with {@link PlayoutMixer#mix}.
   */
  public PlayoutMixer mixer() {
    return mixer;
  }

  /** Whether the speaker plays {@link #mixer()} (then libwebrtc's own mix is kept silent). */
  boolean mixerPlays() {
    return player != null;
  }

  /** Volume of {@code userId} for every call of this engine, 0..2. */
  void setVolume(String userId, double volume) {
    volumes.put(userId, volume);
    routePlayout();
  }

  /**
   * Chooses the playout path: our per-user mixer while some member's volume is a fraction or a boost
   * (0 and 100 % need no mixer: a disabled or untouched track in libwebrtc's own mix), libwebrtc's
   * playout otherwise, which keeps echo cancellation's far-end reference. While the mixer plays, the
   * echo canceller hears no reference (webrtc-java 0.14 has no hook to feed one in), which the voice
   * panel's volume menu says; headphones make no difference.
   */
  private synchronized void routePlayout() {
    if (mode != AudioMode.DEVICE || closed.get()) {
      return;
    }
    boolean wanted = volumes.values().stream().anyMatch(v -> v != 0.0 && v != 1.0);
    boolean changed = false;
    if (wanted && player == null) {
      startPlayer(speaker);
      changed = player != null;
    } else if (!wanted && player != null) {
      AudioPlayer p = player;
      player = null;
      step("player.stop", p::stop);
      changed = true;
    }
    if (changed) {
      log.info("voice playout: {}", player != null ? "per-user mix" : "libwebrtc");
      for (VoiceCall c : calls) {
        c.volumeRouteChanged();
      }
    }
  }

  private static AudioProcessingConfig processingConfig(VoiceConfig c) {
    AudioProcessingConfig pc = new AudioProcessingConfig();
    pc.echoCanceller.enabled = c.echoCancellation();
    pc.noiseSuppression.enabled = c.noiseSuppression();
    pc.gainControl.enabled = c.gainControl();
    pc.highPassFilter.enabled = c.highPassFilter();
    return pc;
  }

  /**
   * Whether a PulseAudio server socket is there ({@code $PULSE_SERVER}, or {@code pulse/native} under
   * {@code $XDG_RUNTIME_DIR} or {@code /run/user/<uid>}); without one the device module aborts.
   */
  static boolean pulseAudioReachable() {
    String server = System.getenv("PULSE_SERVER");
    if (server != null && !server.isBlank()) {
      return true;
    }
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null && Files.exists(Path.of(runtime, "pulse", "native"))) {
      return true;
    }
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Files.exists(Path.of("/run/user/" + uid + "/pulse/native"));
    } catch (Exception e) {
      return false;
    }
  }

  /** The audio mode actually in use (DEVICE may have fallen back to HEADLESS). */
  public AudioMode mode() {
    return mode;
  }

  public VoiceConfig config() {
    return config;
  }

  /** Capture devices (empty in headless mode). */
  public List<AudioDevice> microphones() {
    return mode == AudioMode.DEVICE ? adm.getRecordingDevices() : List.of();
  }

  /** Playout devices (empty in headless mode). */
  public List<AudioDevice> speakers() {
    return mode == AudioMode.DEVICE ? adm.getPlayoutDevices() : List.of();
  }

  /** Name of the microphone chosen with {@link #selectMicrophone}, or null before any choice. */
  public String chosenMicrophone() {
    AudioDevice d = microphone;
    return d == null ? null : d.getName();
  }

  /** Name of the speaker chosen with {@link #selectSpeaker}, or null before any choice. */
  public String chosenSpeaker() {
    AudioDevice d = speaker;
    return d == null ? null : d.getName();
  }

  /**
   * Tells {@code l} when a chosen microphone or speaker goes away (the call falls back to the default) and
   * when it is back. Null stops telling.
   */
  public void setDeviceListener(VoiceDeviceListener l) {
    if (router != null) {
      router.setListener(l);
    }
  }

  /**
   * Switches the capture device, at once for running calls and for every later one.
   *
   * <p>On PulseAudio (devices without an id, see {@link #serverName}) libwebrtc keeps capturing from the
   * default source and {@link PulseDeviceRouter} moves our capture stream on the sound server, now and
   * whenever libwebrtc opens a new one; no capture restart is needed. Elsewhere (devices with an id) every
   * call's send stream is held inactive first, so libwebrtc has stopped the capture on its worker thread; the
   * device changes while nothing records, and releasing the streams lets libwebrtc start the capture again
   * on the new device. Java never calls the module's start/stopRecording while a call runs: a start racing
   * a stop from another thread can hang the module in native code (see {@link VoiceCall}).
   *
   * @throws VoiceDeviceException when the choice cannot be applied (pactl missing, the device gone, the
   *     server refusing); the default device is used then
   */
  public void selectMicrophone(AudioDevice device) {
    requireDeviceMode();
    List<AudioDevice> all = adm.getRecordingDevices();
    if (!hasId(device)) {
      if (router != null) {
        router.routeCapture(serverName(device, all, router.sources(), "microphone"));
        microphone = device;
        return;
      }
      if (!isFirst(device, all)) {
        throw notSelectable(device, "microphone");
      }
    }
    List<VoiceCall> running = List.copyOf(calls);
    for (VoiceCall c : running) {
      step("hold sending", () -> c.holdSending(true));
    }
    try {
      adm.setRecordingDevice(device);
      microphone = device;
    } finally {
      for (VoiceCall c : running) {
        step("resume sending", () -> c.holdSending(false));
      }
    }
  }

  private static boolean hasId(AudioDevice d) {
    String id = d.getDescriptor();
    return id != null && !id.isEmpty();
  }

  private static boolean isFirst(AudioDevice d, List<AudioDevice> all) {
    return !all.isEmpty() && all.get(0).equals(d);
  }

  /**
   * The sound server's name of a device from libwebrtc's list, null for its first entry (libwebrtc's
   * "default": the server's default device, listed again further down). libwebrtc names PulseAudio
   * devices by their description, in the server's order, so the k-th device with a description is the
   * server's k-th source/sink with that description.
   */
  static String serverName(AudioDevice device, List<AudioDevice> all, List<PulseDeviceRouter.Device> server,
      String what) {
    int at = all.indexOf(device);
    if (at == 0) {
      return null;
    }
    if (at < 0) {
      throw new VoiceDeviceException(VoiceDeviceException.Reason.DEVICE_GONE,
          "the " + what + " '" + device.getName() + "' is no longer there; the default is used");
    }
    int nth = 0;
    for (int i = 1; i < at; i++) {
      if (all.get(i).getName().equals(device.getName())) {
        nth++;
      }
    }
    for (PulseDeviceRouter.Device d : server) {
      if (d.description().equals(device.getName()) && nth-- == 0) {
        return d.name();
      }
    }
    throw new VoiceDeviceException(VoiceDeviceException.Reason.DEVICE_GONE,
        "the sound server has no " + what + " '" + device.getName() + "' (unplugged?); the default is used");
  }

  /**
   * webrtc-java 0.14 finds the chosen device by its descriptor (GUID); libwebrtc's PulseAudio module gives
   * every device an empty one, so any choice selects the first device ("default"). Without the router
   * (no pactl) the choice cannot be applied: said in the log and to the caller.
   */
  private VoiceDeviceException notSelectable(AudioDevice device, String what) {
    log.warn("voice: the {} '{}' cannot be selected (its audio system gives no device id; webrtc-java 0.14"
        + " then uses the default device): choose it in the system's sound settings", what, device.getName());
    VoiceDeviceException.Reason r = routerProblem != null ? routerProblem.reason()
        : VoiceDeviceException.Reason.COMMAND_FAILED;
    return new VoiceDeviceException(r, "the " + what + " '" + device.getName() + "' cannot be selected"
        + (routerProblem != null ? " (" + routerProblem.getMessage() + ")" : "")
        + "; the default device is used: choose it in the system's sound settings");
  }

  /**
   * Switches the playout device, at once and for later calls (on PulseAudio by moving our playback streams,
   * see {@link #selectMicrophone}).
   *
   * @throws VoiceDeviceException when the choice cannot be applied; the default device is used then
   */
  public void selectSpeaker(AudioDevice device) {
    requireDeviceMode();
    List<AudioDevice> all = adm.getPlayoutDevices();
    if (!hasId(device)) {
      if (router != null) {
        router.routePlayout(serverName(device, all, router.sinks(), "speaker"));
        speaker = device;
        return; // our per-user mixer's player is a stream of this process too: moved with the others
      }
      if (!isFirst(device, all)) {
        throw notSelectable(device, "speaker");
      }
    }
    adm.stopPlayout();
    adm.setPlayoutDevice(device);
    if (!calls.isEmpty()) { // without a call libwebrtc starts the playout with the next one
      adm.initPlayout();
      adm.startPlayout();
    }
    speaker = device;
    AudioPlayer p = player;
    if (p != null) {
      player = null;
      step("player.stop", p::stop);
      startPlayer(device);
      for (VoiceCall c : calls) {
        c.volumeRouteChanged();
      }
    }
  }

  private void requireDeviceMode() {
    if (mode != AudioMode.DEVICE) {
      throw new VoiceException("no audio devices in headless mode");
    }
  }

  /**
   * Joins a room: opens a link from {@code links}, sends {@code join} and handles the SFU's offers. Returns at
   * once; follow progress through {@code listener} or {@link VoiceCall#state()}.
   */
  public VoiceCall join(VoiceGrant grant, SfuLinkFactory links, VoiceInput input, VoiceListener listener) {
    return join(grant, null, links, input, listener);
  }

  /**
   * Like {@link #join(VoiceGrant, SfuLinkFactory, VoiceInput, VoiceListener)}, but every automatic
   * rejoin first takes a new grant from {@code freshGrants} (the token is short-lived; after an SFU
   * restart or a long outage the first one may be dead). Null: rejoins reuse {@code grant}.
   */
  public VoiceCall join(VoiceGrant grant, java.util.function.Supplier<java.util.concurrent.CompletableFuture<VoiceGrant>>
      freshGrants, SfuLinkFactory links, VoiceInput input, VoiceListener listener) {
    if (closed.get()) {
      throw new VoiceException("voice engine is closed");
    }
    if (input instanceof VoiceInput.Tone t) {
      toneMicrophone(t); // refuses a tone in DEVICE mode or a second frequency before anything starts
    }
    VoiceCall call = new VoiceCall(this, grant, freshGrants, links, input, listener);
    calls.add(call);
    call.start();
    return call;
  }

  /**
   * Runs libwebrtc's once-per-process work of a first call ahead of it (see {@link EngineWarmUp}), for an
   * engine started before the first voice-channel click ({@code ui.voice.VoiceDock#prestart}). Nothing is
   * captured, played or sent beyond this machine. Bounded by {@code timeout} per step; failures are logged,
   * never thrown (the first click then pays the cost).
   */
  public void warmUp(java.time.Duration timeout) {
    if (closed.get()) {
      return;
    }
    long started = System.nanoTime();
    try {
      new EngineWarmUp(factory, config, timeout).run();
      log.info("voice engine warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception | Error e) {
      log.info("voice warm-up incomplete after {} ms (the first call pays the rest): {}",
          (System.nanoTime() - started) / 1_000_000, e.toString());
    }
  }

  PeerConnectionFactory factory() {
    return factory;
  }

  /**
   * Makes {@code tone} this engine's microphone: the headless module's capture thread pulls it every
   * 10 ms (see {@link ToneMicrophone} for why this, not {@code CustomAudioSource}). Registered once,
   * after playout started (the constructor), so libwebrtc keeps its own audio transport. One engine has
   * one microphone: a second call with another frequency is refused.
   */
  synchronized ToneMicrophone toneMicrophone(VoiceInput.Tone tone) {
    if (mode != AudioMode.HEADLESS) {
      throw new VoiceException("a tone input needs the headless audio mode (this engine uses " + mode + ")");
    }
    if (toneMicrophone == null) {
      ToneMicrophone mic = new ToneMicrophone(tone.frequencyHz(), config.vadThreshold());
      adm.setAudioSource(mic);
      toneMicrophone = mic;
    } else if (toneMicrophone.frequencyHz() != tone.frequencyHz()) {
      throw new VoiceException("this engine's tone microphone plays " + toneMicrophone.frequencyHz()
          + " Hz, not " + tone.frequencyHz() + " Hz (one microphone per engine)");
    }
    return toneMicrophone;
  }

  /**
   * For tests, bots and benchmarks with a {@link VoiceInput#tone} input only (no effect on a device
   * microphone): true (the default) plays the tone, false makes the synthetic microphone an open
   * microphone in a quiet room — white noise at −60 dBFS RMS, what a user with voice activation sends
   * while listening without muting. Unlike {@link VoiceCall#setMuted} it leaves the send stream running
   * (capture, audio processing and the Opus encoder with DTX go on); nothing else changes.
   *
   * @throws VoiceException when no tone call has been joined on this engine
   */
  public synchronized void setToneSpeaking(boolean speaking) {
    if (toneMicrophone == null) {
      throw new VoiceException("this engine has no tone microphone (join with VoiceInput.tone first)");
    }
    toneMicrophone.setSpeaking(speaking);
  }

  AudioDeviceModuleBase audioDeviceModule() {
    return adm;
  }

  void forget(VoiceCall call) {
    calls.remove(call);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (VoiceCall c : List.copyOf(calls)) {
      c.close();
    }
    AudioPlayer p = player;
    player = null;
    if (p != null) {
      step("player.stop", p::stop);
    }
    if (router != null) {
      step("router.close", router::close);
    }
    step("stopPlayout", adm::stopPlayout);
    step("stopRecording", adm::stopRecording);
    step("factory.dispose", factory::dispose);
    step("adm.dispose", adm::dispose);
    step("apm.dispose", apm::dispose);
    log.info("voice engine closed");
  }

  static void step(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("voice: {} failed", what, e);
    }
  }
}
