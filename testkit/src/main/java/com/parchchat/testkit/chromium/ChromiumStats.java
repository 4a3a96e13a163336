package com.parchchat.testkit.chromium;

import com.parchchat.testkit.webrtc.RtcStatsSummary.InboundAudio;
import com.parchchat.testkit.webrtc.RtcStatsSummary.SelectedPair;
import java.util.List;
import java.util.Optional;

/**
 * A getStats summary taken inside Chromium, in the same shapes as the libwebrtc bot's
 * {@link com.parchchat.testkit.webrtc.RtcStatsSummary}.
 *
 * @param remoteTracks the tracks Chromium's {@code ontrack} saw, each attached to an audio element
 */
public record ChromiumStats(List<InboundAudio> inbound, long packetsSent, long bytesSent,
                           Optional<SelectedPair> selectedPair, String connectionState, String iceConnectionState,
                           List<RemoteTrackInfo> remoteTracks) {

    /** One remote track as Chromium's {@code ontrack} event reported it. */
    public record RemoteTrackInfo(String mid, String trackId, List<String> streamIds) {
    }

    public long totalPacketsReceived() {
        return inbound.stream().mapToLong(InboundAudio::packetsReceived).sum();
    }

    public double totalAudioEnergy() {
        return inbound.stream().mapToDouble(InboundAudio::totalAudioEnergy).sum();
    }
}
