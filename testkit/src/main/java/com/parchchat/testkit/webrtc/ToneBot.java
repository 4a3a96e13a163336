package com.parchchat.testkit.webrtc;

import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.ToneGenerator;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCIceTransportPolicy;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioProcessing;
import dev.onvoid.webrtc.media.audio.AudioProcessingConfig;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.AudioTrackSource;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libwebrtc peer (webrtc-java 0.14) that sends a sine tone and records what it hears: the
 * "foreign WebRTC stack" our SFU and TURN server are tested against.
 *
 * <p>Signalling is up to the caller and uses plain SDP strings without trickle: {@link #createOffer()}
 * and {@link #acceptOffer(String)} wait until ICE gathering completes, so the returned SDP carries all
 * candidates (what an ICE-lite SFU wants). {@link #acceptOffer} also serves server-initiated
 * renegotiation. Local candidates are additionally reported to {@link #onLocalCandidate} listeners for
 * callers that trickle.
 *
 * <p>Native pitfalls of webrtc-java 0.14 guarded here (each one kills the JVM otherwise):
 * <ul>
 *   <li>never the default audio device module (aborts without PulseAudio): always
 *       {@link HeadlessAudioDeviceModule}, with playout started <em>after</em> the factory exists
 *       (playout is what pulls decoded audio into the track sinks);</li>
 *   <li>the tone enters through the headless module's capture path ({@link CapturedTone}, registered as
 *       the module's audio source after playout started), never through {@code CustomAudioSource}:
 *       libwebrtc starts the module's capture thread itself when a send stream starts, and a second
 *       writer (a Java push thread) races it in {@code AudioSendStream::SendAudioData} and aborts the
 *       JVM. With the capture thread as the only writer there is no such race. Audio processing (echo
 *       cancellation, noise suppression, gain control, high-pass) is off so the tone arrives
 *       unaltered;</li>
 *   <li>malformed ICE server URLs segfault: {@link IceServer} validates them first;</li>
 *   <li>disposing in the wrong order segfaults: {@link #close()} silences the tone, removes sinks, closes
 *       the peer connection, stops playout and recording, then disposes
 *       factory, module and audio processing. It is idempotent.</li>
 * </ul>
 * The factory starts non-daemon native threads, so always {@link #close()} a bot (try-with-resources);
 * a JVM with an open bot does not exit.
 *
 * <p>Blocking methods must not be called from a libwebrtc callback thread.
 */
public final class ToneBot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToneBot.class);

    private final String name;
    private final Duration timeout;
    private final HeadlessAudioDeviceModule adm;
    private final AudioProcessing apm;
    private final PeerConnectionFactory factory;
    private final RTCPeerConnection pc;
    private final AudioTrack localTrack;
    private final boolean send;
    private final ToneGenerator generator;
    /** The module's microphone: libwebrtc's capture thread pulls the tone from it. */
    private final CapturedTone microphone;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final Map<String, RemoteTrack> remoteTracks = new LinkedHashMap<>();
    private final Map<RemoteTrack, Sink> sinks = new LinkedHashMap<>();
    private final List<Consumer<RTCIceCandidate>> candidateListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<RemoteTrack>> trackListeners = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> gatheringDone = new CompletableFuture<>();
    private volatile RTCPeerConnectionState connectionState = RTCPeerConnectionState.NEW;
    private volatile RTCIceConnectionState iceState = RTCIceConnectionState.NEW;

    private ToneBot(Builder b) {
        this.name = b.name;
        this.timeout = b.timeout;
        // Validate everything that reaches native code before any native object exists.
        RTCConfiguration config = new RTCConfiguration();
        for (IceServer s : b.iceServers) {
            RTCIceServer server = new RTCIceServer();
            server.urls = new ArrayList<>(s.urls());
            server.username = s.username();
            server.password = s.password();
            config.iceServers.add(server);
        }
        config.iceTransportPolicy = b.relayOnly ? RTCIceTransportPolicy.RELAY : RTCIceTransportPolicy.ALL;
        if (b.minPort > 0) {
            config.portAllocatorConfig.minPort = b.minPort;
            config.portAllocatorConfig.maxPort = b.maxPort;
        }
        this.generator = new ToneGenerator(b.toneHz, b.amplitude);
        this.microphone = new CapturedTone(generator, b.send && b.toneHz > 0);

        HeadlessAudioDeviceModule module = null;
        AudioProcessing processing = null;
        PeerConnectionFactory f = null;
        AudioTrackSource src = null;
        AudioTrack track = null;
        RTCPeerConnection conn = null;
        try {
            module = new HeadlessAudioDeviceModule();
            processing = new AudioProcessing();
            processing.applyConfig(transparentProcessing());
            f = new PeerConnectionFactory(module, processing);
            module.initPlayout();
            module.startPlayout();
            if (b.send) {
                // Only after playout started: the module then keeps libwebrtc's audio transport and only
                // its capture pull is redirected to the tone. A receive-only bot has no microphone.
                module.setAudioSource(microphone);
            }
            src = f.createAudioSource(transparentOptions());
            track = f.createAudioTrack(name + "-audio", src);
            conn = f.createPeerConnection(config, new Observer());
            if (b.send) {
                // addTrack (not addTransceiver) so that a remote offer's first audio m-line reuses
                // this sender when the bot answers instead of offering
                conn.addTrack(track, List.of(name));
            }
        } catch (RuntimeException | Error e) {
            microphone.setOn(false);
            disposeQuietly(null, conn, f, module, processing);
            throw e;
        }
        this.adm = module;
        this.apm = processing;
        this.factory = f;
        this.pc = conn;
        this.localTrack = track;
        this.send = b.send;
    }

    /** No echo canceller, noise suppressor (it would fade a steady tone), gain control or high-pass. */
    private static AudioProcessingConfig transparentProcessing() {
        AudioProcessingConfig c = new AudioProcessingConfig();
        c.echoCanceller.enabled = false;
        c.noiseSuppression.enabled = false;
        c.gainControl.enabled = false;
        c.highPassFilter.enabled = false;
        return c;
    }

    private static AudioOptions transparentOptions() {
        AudioOptions o = new AudioOptions();
        o.echoCancellation = false;
        o.noiseSuppression = false;
        o.autoGainControl = false;
        o.highpassFilter = false;
        return o;
    }

    /** Starts configuring a bot called {@code name} (used in track/stream ids and thread names). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    // ---- signalling ----------------------------------------------------------------------------

    /**
     * Connects two bots directly: {@code offerer} offers, {@code answerer} answers (no trickle).
     * Returns without waiting for ICE to complete; wait on {@link #isConnected()}.
     */
    public static void connect(ToneBot offerer, ToneBot answerer) {
        offerer.applyAnswer(answerer.acceptOffer(offerer.createOffer()));
    }

    /** Creates an offer, applies it locally, waits for ICE gathering and returns the full SDP. */
    public String createOffer() {
        return createOffer(false);
    }

    /** As {@link #createOffer()}, optionally with an ICE restart. */
    public String createOffer(boolean iceRestart) {
        RTCOfferOptions options = new RTCOfferOptions();
        options.iceRestart = iceRestart;
        return negotiate(() -> {
            if (!send && pc.getTransceivers().length == 0) {
                RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
                init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
                init.streamIds = List.of(name);
                pc.addTransceiver(localTrack, init);
            }
            CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
            pc.createOffer(options, new CreateObserver(offer));
            RTCSessionDescription desc = await(offer, "createOffer");
            armGathering();
            await(setLocal(desc), "setLocalDescription(offer)");
            return localSdpAfterGathering();
        });
    }

    /** Applies the remote answer to an offer from {@link #createOffer()}. */
    public void applyAnswer(String answerSdp) {
        Objects.requireNonNull(answerSdp, "answerSdp");
        negotiate(() -> {
            await(setRemote(new RTCSessionDescription(RTCSdpType.ANSWER, answerSdp)), "setRemoteDescription(answer)");
            return null;
        });
    }

    /**
     * Applies a remote offer (initial or a renegotiation, e.g. an SFU adding or removing a
     * speaker's track) and returns the local answer with all candidates.
     */
    public String acceptOffer(String offerSdp) {
        Objects.requireNonNull(offerSdp, "offerSdp");
        return negotiate(() -> {
            await(setRemote(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp)), "setRemoteDescription(offer)");
            CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
            pc.createAnswer(new RTCAnswerOptions(), new CreateObserver(answer));
            RTCSessionDescription desc = await(answer, "createAnswer");
            armGathering();
            await(setLocal(desc), "setLocalDescription(answer)");
            return localSdpAfterGathering();
        });
    }

    /** Alias of {@link #acceptOffer(String)} named for server-initiated renegotiation. */
    public String onRemoteOffer(String offerSdp) {
        return acceptOffer(offerSdp);
    }

    /** Adds a trickled remote candidate ({@code candidate:...} line without {@code a=}). */
    public void addRemoteCandidate(String mid, int mLineIndex, String candidate) {
        checkOpen();
        pc.addIceCandidate(new RTCIceCandidate(mid, mLineIndex, candidate));
    }

    /** Called with every local candidate as it is gathered (on a libwebrtc thread). */
    public void onLocalCandidate(Consumer<RTCIceCandidate> listener) {
        candidateListeners.add(listener);
    }

    /** Called when a remote track appears (on a libwebrtc thread; do not block). */
    public void onRemoteTrack(Consumer<RemoteTrack> listener) {
        trackListeners.add(listener);
    }

    public RTCPeerConnectionState connectionState() {
        return connectionState;
    }

    public RTCIceConnectionState iceConnectionState() {
        return iceState;
    }

    /** True once the peer connection reports CONNECTED. */
    public boolean isConnected() {
        return connectionState == RTCPeerConnectionState.CONNECTED;
    }

    // ---- sending -------------------------------------------------------------------------------

    /** Starts (or retunes) the tone; effective only for a sending bot. */
    public void startTone(double frequencyHz) {
        generator.setFrequency(frequencyHz);
        microphone.setOn(send && frequencyHz > 0 && !closed.get());
    }

    /** Silences the microphone (the sender then sends silence, like a muted microphone). */
    public void stopTone() {
        microphone.setOn(false);
    }

    public double toneFrequency() {
        return generator.frequency();
    }

    /**
     * 10 ms frames of tone handed to libwebrtc so far. libwebrtc's capture thread pulls them only while
     * a send stream runs, so this stays 0 until the bot is connected and sending.
     */
    public long framesPushed() {
        return microphone.framesDelivered();
    }

    // ---- receiving -----------------------------------------------------------------------------

    /** Remote tracks seen so far (including removed ones), in arrival order. */
    public List<RemoteTrack> remoteTracks() {
        synchronized (remoteTracks) {
            return List.copyOf(remoteTracks.values());
        }
    }

    /** Remote tracks still negotiated (not removed by a renegotiation). */
    public List<RemoteTrack> activeRemoteTracks() {
        List<RemoteTrack> out = new ArrayList<>();
        for (RemoteTrack t : remoteTracks()) {
            if (!t.removed()) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * The candidate frequencies present on any active remote track right now (each track's last
     * 200 ms analysed separately, so one track per remote speaker is judged on its own).
     */
    public Set<Double> heardFrequencies(FrequencyDetector detector, double... candidatesHz) {
        Set<Double> heard = new LinkedHashSet<>();
        for (RemoteTrack t : activeRemoteTracks()) {
            heard.addAll(t.analyze(detector, candidatesHz).present());
        }
        return heard;
    }

    /** {@link #heardFrequencies(FrequencyDetector, double...)} with the default detector. */
    public Set<Double> heardFrequencies(double... candidatesHz) {
        return heardFrequencies(new FrequencyDetector(), candidatesHz);
    }

    // ---- stats ---------------------------------------------------------------------------------

    /** A fresh getStats summary (blocks up to the bot's timeout). */
    public RtcStatsSummary stats() {
        checkOpen();
        CompletableFuture<RtcStatsSummary> f = new CompletableFuture<>();
        pc.getStats(report -> {
            try {
                f.complete(RtcStatsSummary.of(report));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return await(f, "getStats");
    }

    /** The current local description's SDP (null before negotiation). */
    public String localSdp() {
        checkOpen();
        RTCSessionDescription d = pc.getLocalDescription();
        return d == null ? null : d.sdp;
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        microphone.setOn(false);
        disposeQuietly(sinksToRemove(), pc, factory, adm, apm);
        log.debug("{}: closed", name);
    }

    private Map<AudioTrack, AudioTrackSink> sinksToRemove() {
        Map<AudioTrack, AudioTrackSink> out = new LinkedHashMap<>();
        synchronized (remoteTracks) {
            for (Sink s : sinks.values()) {
                out.put(s.track, s);
            }
            sinks.clear();
        }
        return out;
    }

    private static void disposeQuietly(Map<AudioTrack, AudioTrackSink> sinks, RTCPeerConnection pc,
                                       PeerConnectionFactory factory,
                                       HeadlessAudioDeviceModule adm, AudioProcessing apm) {
        if (sinks != null) {
            sinks.forEach((t, s) -> step("removeSink", () -> t.removeSink(s)));
        }
        if (pc != null) {
            step("pc.close", pc::close);
        }
        // The local track is not disposed on its own: the closed peer connection's sender still
        // references it (dispose() throws "Native object was not deleted"); the factory frees it and its
        // source (an AudioTrackSource has no dispose of its own).
        if (adm != null) {
            step("stopPlayout", adm::stopPlayout);
            step("stopRecording", adm::stopRecording);
        }
        if (factory != null) {
            step("factory.dispose", factory::dispose);
        }
        if (adm != null) {
            step("adm.dispose", adm::dispose);
        }
        if (apm != null) {
            step("apm.dispose", apm::dispose);
        }
    }

    private static void step(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("dispose step {} failed", what, e);
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private interface Step<T> {
        T run();
    }

    private <T> T negotiate(Step<T> step) {
        checkOpen();
        try {
            return step.run();
        } catch (Error e) {
            if (e.getClass() != Error.class) {
                throw e;
            }
            // webrtc-java reports native failures (e.g. an unusable description) as plain java.lang.Error
            throw new WebRtcException(name + ": " + e.getMessage(), e);
        }
    }

    private void armGathering() {
        gatheringDone = new CompletableFuture<>();
    }

    private String localSdpAfterGathering() {
        if (pc.getIceGatheringState() != RTCIceGatheringState.COMPLETE) {
            try {
                gatheringDone.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn("{}: ICE gathering not complete after {}; returning the candidates so far", name, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while gathering", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return pc.getLocalDescription().sdp;
    }

    private CompletableFuture<Void> setLocal(RTCSessionDescription d) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            pc.setLocalDescription(d, new SetObserver(f));
        } catch (Error e) {
            // webrtc-java throws java.lang.Error when the SDP does not parse
            f.completeExceptionally(new WebRtcException(e.getMessage(), e));
        }
        return f;
    }

    private CompletableFuture<Void> setRemote(RTCSessionDescription d) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            pc.setRemoteDescription(d, new SetObserver(f));
        } catch (Error e) {
            // webrtc-java throws java.lang.Error when the SDP does not parse
            f.completeExceptionally(new WebRtcException(e.getMessage(), e));
        }
        return f;
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + ": " + what + " timed out after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted in " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof WebRtcException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new WebRtcException(name + ": " + what + " failed: " + cause.getMessage(), cause);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    private void trackAdded(RTCRtpTransceiver transceiver) {
        RTCRtpReceiver receiver = transceiver.getReceiver();
        MediaStreamTrack t = receiver.getTrack();
        if (!(t instanceof AudioTrack)) {
            return;
        }
        AudioTrack audio = (AudioTrack) t;
        String mid = transceiver.getMid();
        RemoteTrack remote;
        synchronized (remoteTracks) {
            if (closed.get()) {
                return;
            }
            RemoteTrack old = remoteTracks.get(mid);
            if (old != null && !old.removed() && old.receiverTrackId().equals(audio.getId())) {
                return;
            }
            Msid msid = msidOf(mid);
            remote = new RemoteTrack(mid, msid.trackId() == null ? audio.getId() : msid.trackId(), msid.streamIds(),
                    audio.getId());
            remoteTracks.put(mid, remote);
            Sink sink = new Sink(audio, remote);
            sinks.put(remote, sink);
            audio.addSink(sink);
        }
        log.debug("{}: remote track {}", name, remote);
        for (Consumer<RemoteTrack> l : trackListeners) {
            l.accept(remote);
        }
    }

    /** What the remote SDP says about one m-line: {@code a=msid:<stream> <track>}. */
    private record Msid(List<String> streamIds, String trackId) {
    }

    /**
     * The {@code a=msid} lines of {@code mid} in the remote description. In Unified Plan the local
     * receiver's track gets a random id, and webrtc-java's onAddTrack streams can have null ids, so the
     * SDP is the reliable source of the sender's stream and track ids.
     */
    private Msid msidOf(String mid) {
        RTCSessionDescription remote = pc.getRemoteDescription();
        List<String> ids = new ArrayList<>();
        String trackId = null;
        if (remote == null || mid == null) {
            return new Msid(ids, null);
        }
        String currentMid = null;
        List<String> sectionIds = new ArrayList<>();
        String sectionTrack = null;
        for (String line : (remote.sdp + "\nm=end").split("\r?\n")) {
            if (line.startsWith("m=")) {
                if (mid.equals(currentMid)) {
                    ids.addAll(sectionIds);
                    trackId = sectionTrack;
                }
                currentMid = null;
                sectionIds.clear();
                sectionTrack = null;
            } else if (line.startsWith("a=mid:")) {
                currentMid = line.substring(6).trim();
            } else if (line.startsWith("a=msid:")) {
                String[] parts = line.substring(7).trim().split(" ");
                if (!parts[0].isEmpty() && !"-".equals(parts[0])) {
                    sectionIds.add(parts[0]);
                }
                if (parts.length > 1) {
                    sectionTrack = parts[1];
                }
            }
        }
        return new Msid(ids, trackId);
    }

    private void trackRemoved(RTCRtpReceiver receiver) {
        MediaStreamTrack t = receiver.getTrack();
        if (t == null) {
            return;
        }
        String id = t.getId();
        synchronized (remoteTracks) {
            for (RemoteTrack r : remoteTracks.values()) {
                if (!r.removed() && r.receiverTrackId().equals(id)) {
                    r.markRemoved();
                }
            }
        }
    }

    private static final class Sink implements AudioTrackSink {
        final AudioTrack track;
        final RemoteTrack remote;

        Sink(AudioTrack track, RemoteTrack remote) {
            this.track = track;
            this.remote = remote;
        }

        @Override
        public void onData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            remote.recorder().accept(data, bitsPerSample, sampleRate, channels, frames);
        }
    }

    /**
     * Every callback is wrapped: an exception escaping into libwebrtc's thread aborts the JVM.
     */
    private final class Observer implements PeerConnectionObserver {
        private void guarded(String what, Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("{}: {} callback failed", name, what, e);
            }
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            guarded("onIceCandidate", () -> {
                for (Consumer<RTCIceCandidate> l : candidateListeners) {
                    l.accept(candidate);
                }
            });
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState state) {
            if (state == RTCIceGatheringState.COMPLETE) {
                gatheringDone.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            connectionState = state;
            log.debug("{}: connection {}", name, state);
        }

        @Override
        public void onIceConnectionChange(RTCIceConnectionState state) {
            iceState = state;
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            guarded("onTrack", () -> trackAdded(transceiver));
        }

        @Override
        public void onRemoveTrack(RTCRtpReceiver receiver) {
            guarded("onRemoveTrack", () -> trackRemoved(receiver));
        }
    }

    private static final class CreateObserver implements CreateSessionDescriptionObserver {
        private final CompletableFuture<RTCSessionDescription> f;

        CreateObserver(CompletableFuture<RTCSessionDescription> f) {
            this.f = f;
        }

        @Override
        public void onSuccess(RTCSessionDescription description) {
            f.complete(description);
        }

        @Override
        public void onFailure(String error) {
            f.completeExceptionally(new WebRtcException(error));
        }
    }

    private static final class SetObserver implements SetSessionDescriptionObserver {
        private final CompletableFuture<Void> f;

        SetObserver(CompletableFuture<Void> f) {
            this.f = f;
        }

        @Override
        public void onSuccess() {
            f.complete(null);
        }

        @Override
        public void onFailure(String error) {
            f.completeExceptionally(new WebRtcException(error));
        }
    }

    /** Configuration of a {@link ToneBot}; validated before any native object is created. */
    public static final class Builder {
        private final String name;
        private final List<IceServer> iceServers = new ArrayList<>();
        private boolean relayOnly;
        private boolean send = true;
        private double toneHz = 440;
        private double amplitude = 0.5;
        private Duration timeout = Duration.ofSeconds(10);
        private int minPort;
        private int maxPort;

        private Builder(String name) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("bot name must be 1-64 chars of [A-Za-z0-9_.-]: " + name);
            }
            this.name = name;
        }

        /** Adds an ICE server (validated: a malformed URL is an IllegalArgumentException here). */
        public Builder iceServer(IceServer server) {
            iceServers.add(Objects.requireNonNull(server, "server"));
            return this;
        }

        public Builder iceServers(Collection<IceServer> servers) {
            servers.forEach(this::iceServer);
            return this;
        }

        /** Adds a TURN server with credentials, e.g. {@code turn:127.0.0.1:3478?transport=udp}. */
        public Builder turn(String url, String username, String password) {
            return iceServer(IceServer.turn(url, username, password));
        }

        /** ICE transport policy RELAY: only TURN relay candidates are used. */
        public Builder relayOnly(boolean relayOnly) {
            this.relayOnly = relayOnly;
            return this;
        }

        /** Tone to send from the start; 0 means silent until {@link ToneBot#startTone}. */
        public Builder tone(double hz) {
            new ToneGenerator(hz); // validates
            this.toneHz = hz;
            return this;
        }

        public Builder amplitude(double amplitude) {
            new ToneGenerator(440, amplitude); // validates
            this.amplitude = amplitude;
            return this;
        }

        /** False makes a receive-only bot (its transceiver is recvonly, e.g. a may-speak=false joiner). */
        public Builder send(boolean send) {
            this.send = send;
            return this;
        }

        /** Timeout for each signalling step, stats, and ICE gathering (default 10 s). */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** Restricts local UDP/TCP ports to [min, max]. */
        public Builder portRange(int min, int max) {
            if (min < 1 || max > 65535 || min > max) {
                throw new IllegalArgumentException("bad port range " + min + "-" + max);
            }
            this.minPort = min;
            this.maxPort = max;
            return this;
        }

        public ToneBot build() {
            return new ToneBot(this);
        }
    }
}
