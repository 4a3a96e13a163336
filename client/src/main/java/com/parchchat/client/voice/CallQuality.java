package com.parchchat.client.voice;

/**
 * Connection quality from libwebrtc stats.
 *
 * @param roundTripMillis  current RTT of the selected ICE candidate pair (−1 unknown)
 * @param lossFraction     received packets lost since the previous sample, 0..1
 * @param jitterMillis     largest inbound jitter
 * @param packetsReceived  total inbound audio packets
 * @param localCandidate   selected local candidate type (host, srflx, prflx, relay) or null
 */
public record CallQuality(double roundTripMillis, double lossFraction, double jitterMillis, long packetsReceived,
    String localCandidate) {

  /** Bars for the UI. */
  public enum Grade { GOOD, FAIR, POOR, UNKNOWN }

  public Grade grade() {
    if (roundTripMillis < 0) {
      return Grade.UNKNOWN;
    }
    if (roundTripMillis > 400 || lossFraction > 0.10) {
      return Grade.POOR;
    }
    if (roundTripMillis > 150 || lossFraction > 0.02 || jitterMillis > 40) {
      return Grade.FAIR;
    }
    return Grade.GOOD;
  }
}
