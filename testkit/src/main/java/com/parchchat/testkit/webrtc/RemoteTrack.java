package com.parchchat.testkit.webrtc;

import com.parchchat.testkit.audio.FrequencyDetector;
import com.parchchat.testkit.audio.PcmRecorder;
import java.util.List;

/**
 * One remote audio track a {@link ToneBot} receives, with the PCM that libwebrtc decoded for it.
 *
 * <p>Identified by its transceiver {@code mid} (unique within a peer connection); the track id and
 * stream ids are what the remote side (or an SFU) put in its SDP ({@code a=msid}). After an
 * SFU-initiated renegotiation removes the track, {@link #removed()} turns true and the recorded
 * audio stays available.
 */
public final class RemoteTrack {

    private final String mid;
    private final String trackId;
    private final String receiverTrackId;
    private final List<String> streamIds;
    private volatile boolean removed;
    private final PcmRecorder recorder = new PcmRecorder();

    RemoteTrack(String mid, String trackId, List<String> streamIds, String receiverTrackId) {
        this.mid = mid;
        this.trackId = trackId;
        this.streamIds = List.copyOf(streamIds);
        this.receiverTrackId = receiverTrackId;
    }

    public String mid() {
        return mid;
    }

    public String trackId() {
        return trackId;
    }

    /** Id of the local receiver's track object (random in Unified Plan; not the sender's id). */
    public String receiverTrackId() {
        return receiverTrackId;
    }

    public List<String> streamIds() {
        return streamIds;
    }

    public boolean removed() {
        return removed;
    }

    /** Received (decoded) audio of this track. */
    public PcmRecorder recorder() {
        return recorder;
    }

    /** Frequency analysis of the last 200 ms received on this track. */
    public FrequencyDetector.Result analyze(FrequencyDetector detector, double... candidatesHz) {
        return recorder.analyze(detector, candidatesHz);
    }

    void markRemoved() {
        this.removed = true;
    }

    @Override
    public String toString() {
        return "RemoteTrack[mid=" + mid + ", trackId=" + trackId + ", streams=" + streamIds + ", removed=" + removed
                + ", " + recorder.snapshot() + "]";
    }
}
