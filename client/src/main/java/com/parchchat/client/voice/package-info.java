/**
 * The client's voice engine: libwebrtc through webrtc-java 0.14 (Opus, jitter buffer, echo
 * cancellation, noise suppression, gain control, device selection) talking to the Parch SFU.
 *
 * <p>Flow: the host authorizes, the relay answers {@code voice.join} with a {@code voice.grant}
 * ({@link com.parchchat.client.voice.VoiceGrant#fromHostReply}); {@link com.parchchat.client.voice.VoiceEngine#join}
 * opens the SFU WebSocket ({@link com.parchchat.client.voice.SfuLinkFactory#webSocket}) and a
 * {@link com.parchchat.client.voice.VoiceCall} answers the SFU's offers. Mute, deafen, push-to-talk,
 * per-member volume, speaking indicators, connection quality, automatic rejoin and kick handling are on
 * {@code VoiceCall}; events arrive through {@link com.parchchat.client.voice.VoiceListener}.
 *
 * <p>{@link com.parchchat.client.voice.VoiceSession} ties one host session to the engine: it runs the
 * join flow through the host, publishes mute/deafen to the host (the space sees them), asks the host for a
 * fresh grant when the SFU refuses an expired or invalid token, and leaves when the channel's space or the
 * channel disappears (kicked, banned, deleted).
 *
 * <p>webrtc-java pitfalls guarded in Java (each would otherwise kill the JVM): the PulseAudio device
 * module is only created when a PulseAudio server is reachable (else headless); playout starts after the
 * factory; malformed ICE URLs are rejected by {@link com.parchchat.client.voice.IceServerConfig}; synthetic
 * (tone) input enters through the headless module's capture path, never through {@code CustomAudioSource}
 * (whose pushes race that capture thread inside libwebrtc and abort the JVM); callbacks never throw into
 * native code; disposal runs in the safe order.
 *
 * <p>Device choice on PulseAudio/PipeWire: webrtc-java 0.14 cannot select a PulseAudio device (empty
 * device ids), so {@link com.parchchat.client.voice.PulseDeviceRouter} has the sound server move this
 * process's streams to the chosen source/sink ({@code pactl}), also every stream libwebrtc opens later;
 * failures are {@link com.parchchat.client.voice.VoiceDeviceException}s, a vanished device is reported
 * through {@link com.parchchat.client.voice.VoiceDeviceListener}.
 *
 * <p>Known limit: webrtc-java 0.14 has no gain control on a remote track, so per-member volume is
 * on/off (0 silences); the chosen value is kept for the UI.
 */
package com.parchchat.client.voice;
