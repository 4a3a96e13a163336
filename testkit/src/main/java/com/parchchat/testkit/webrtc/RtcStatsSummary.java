package com.parchchat.testkit.webrtc;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a libwebrtc {@code getStats} report that tests assert on: received audio per
 * inbound stream, what was sent, and the selected ICE candidate pair (to prove e.g. that a call
 * really went through a TURN relay). The raw report stays available for anything else.
 */
public record RtcStatsSummary(List<InboundAudio> inbound, long packetsSent, long bytesSent,
                              Optional<SelectedPair> selectedPair, RTCStatsReport raw) {

    /** One {@code inbound-rtp} audio entry. */
    public record InboundAudio(String trackIdentifier, String mid, long ssrc, long packetsReceived,
                               long packetsLost, double jitterSeconds, double audioLevel,
                               double totalAudioEnergy) {
    }

    /**
     * The transport's selected candidate pair. Candidate types are {@code host}, {@code srflx},
     * {@code prflx} or {@code relay}; {@code relayProtocol} is set for local relay candidates
     * (udp/tcp/tls towards the TURN server).
     */
    public record SelectedPair(String localType, String localAddress, int localPort, String localProtocol,
                               String relayProtocol, String remoteType, String remoteAddress, int remotePort,
                               double currentRoundTripTimeSeconds, String state) {
    }

    /** Sum of {@code packetsReceived} over all inbound audio. */
    public long totalPacketsReceived() {
        return inbound.stream().mapToLong(InboundAudio::packetsReceived).sum();
    }

    /** Sum of {@code packetsLost} over all inbound audio. */
    public long totalPacketsLost() {
        return inbound.stream().mapToLong(InboundAudio::packetsLost).sum();
    }

    /** Builds the summary from a raw report. */
    public static RtcStatsSummary of(RTCStatsReport report) {
        Map<String, RTCStats> all = report.getStats();
        List<InboundAudio> inbound = new ArrayList<>();
        long packetsSent = 0;
        long bytesSent = 0;
        String selectedPairId = null;
        for (RTCStats s : all.values()) {
            Map<String, Object> a = s.getAttributes();
            if (s.getType() == RTCStatsType.INBOUND_RTP && "audio".equals(str(a, "kind"))) {
                inbound.add(new InboundAudio(str(a, "trackIdentifier"), str(a, "mid"), lng(a, "ssrc"),
                        lng(a, "packetsReceived"), lng(a, "packetsLost"), dbl(a, "jitter"),
                        dbl(a, "audioLevel"), dbl(a, "totalAudioEnergy")));
            } else if (s.getType() == RTCStatsType.OUTBOUND_RTP && "audio".equals(str(a, "kind"))) {
                packetsSent += lng(a, "packetsSent");
                bytesSent += lng(a, "bytesSent");
            } else if (s.getType() == RTCStatsType.TRANSPORT && a.get("selectedCandidatePairId") != null) {
                selectedPairId = str(a, "selectedCandidatePairId");
            }
        }
        Optional<SelectedPair> pair = Optional.empty();
        RTCStats p = selectedPairId == null ? null : all.get(selectedPairId);
        if (p != null) {
            Map<String, Object> pa = p.getAttributes();
            RTCStats local = all.get(str(pa, "localCandidateId"));
            RTCStats remote = all.get(str(pa, "remoteCandidateId"));
            Map<String, Object> la = local == null ? Map.of() : local.getAttributes();
            Map<String, Object> ra = remote == null ? Map.of() : remote.getAttributes();
            pair = Optional.of(new SelectedPair(str(la, "candidateType"), str(la, "address"), (int) lng(la, "port"),
                    str(la, "protocol"), str(la, "relayProtocol"), str(ra, "candidateType"), str(ra, "address"),
                    (int) lng(ra, "port"), dbl(pa, "currentRoundTripTime"), str(pa, "state")));
        }
        return new RtcStatsSummary(List.copyOf(inbound), packetsSent, bytesSent, pair, report);
    }

    private static String str(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v == null ? null : v.toString();
    }

    private static long lng(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v instanceof Number ? ((Number) v).longValue() : 0;
    }

    private static double dbl(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : 0;
    }

    @Override
    public String toString() {
        return "RtcStatsSummary[inbound=" + inbound + ", packetsSent=" + packetsSent + ", bytesSent=" + bytesSent
                + ", selectedPair=" + selectedPair + "]";
    }
}
