package com.parchchat.testkit.webrtc;

import com.parchchat.testkit.audio.ToneGenerator;
import dev.onvoid.webrtc.media.audio.AudioSource;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ToneBot}'s microphone: a {@link ToneGenerator} registered as the headless audio device
 * module's {@link AudioSource}, so libwebrtc's own capture thread pulls each 10 ms frame where a sound
 * card's samples would enter.
 *
 * <p>This replaces {@code CustomAudioSource.pushAudio} from a Java thread: libwebrtc starts the module's
 * capture on its worker thread whenever a send stream starts, and that thread then called
 * {@code AudioSendStream::SendAudioData} concurrently with our push — the stream's race checker
 * ({@code audio_send_stream.cc:368}) aborted the JVM. Through the capture path one native thread is the
 * only writer to the send stream; there is nothing left to race.
 *
 * <p>{@link #onPlaybackData} runs on that native thread: it allocates nothing, takes no lock and never
 * lets an exception escape. Muting ({@link #setOn(boolean) setOn(false)}) delivers silence, the way a
 * muted microphone does.
 */
final class CapturedTone implements AudioSource {

    private final ToneGenerator generator;
    private final AtomicLong frames = new AtomicLong();
    private volatile boolean on;

    CapturedTone(ToneGenerator generator, boolean on) {
        this.generator = generator;
        this.on = on;
    }

    void setOn(boolean on) {
        this.on = on;
    }

    /** 10 ms frames of tone (not silence) handed to libwebrtc so far. */
    long framesDelivered() {
        return frames.get();
    }

    @Override
    public int onPlaybackData(byte[] buffer, int samples, int bytesPerSample, int channels, int sampleRate) {
        try {
            int ch = Math.max(1, channels);
            // libwebrtc's bytesPerSample covers all channels of one sample frame; the PCM is 16-bit
            int count = Math.min(samples, buffer.length / (2 * ch));
            if (!on || sampleRate <= 0 || count <= 0) {
                Arrays.fill(buffer, 0, Math.min(buffer.length, 2 * ch * Math.max(count, 0)), (byte) 0);
                return samples;
            }
            generator.fill(buffer, count, ch, sampleRate);
            frames.incrementAndGet();
            return samples;
        } catch (RuntimeException e) {
            // never into the native capture thread; a lost frame is audible as a gap, nothing more
            return samples;
        }
    }
}
