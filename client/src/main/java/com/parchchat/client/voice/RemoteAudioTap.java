package com.parchchat.client.voice;

/**
 * Receives the decoded audio of each remote member (16-bit little-endian PCM, as libwebrtc's track
 * sinks deliver it: 10 ms per call). Runs on a libwebrtc audio thread: copy and return quickly.
 *
 * <p>{@code userId} is the member whose {@code streamId} the track carries; for the first few
 * milliseconds after a track appears, before the SFU's member list names that stream, it is the raw
 * msid stream id instead.
 */
@FunctionalInterface
public interface RemoteAudioTap {

  void onAudio(String userId, byte[] pcm, int bitsPerSample, int sampleRate, int channels, int frames);
}
