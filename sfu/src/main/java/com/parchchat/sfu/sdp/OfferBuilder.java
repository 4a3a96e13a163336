package com.parchchat.sfu.sdp;

import com.parchchat.sfu.dtls.Fingerprint;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Writes the SFU's offers (RFC 8829 §5.2, Unified Plan). Section 0 carries the participant's own
 * microphone (recvonly for the SFU; inactive for receive-only participants); every further section
 * is one remote speaker's track, sendonly with its SSRC and msid, or inactive once that speaker left.
 * All sections are bundled on one ICE-lite transport with one candidate per advertised address.
 */
public final class OfferBuilder {
  public static final int OPUS_PT = 111;
  public static final int AUDIO_LEVEL_ID = 1;
  public static final int MID_ID = 4;

  /** One m-section of the offer. {@code ssrc} is used only for sendonly sections. */
  public record Section(String mid, String direction, long ssrc, String streamId, String trackId, String cname) {}

  private OfferBuilder() {}

  public static String build(long sessionId, long version, String iceUfrag, String icePwd, Fingerprint fingerprint,
      List<InetSocketAddress> candidates, List<Section> sections) {
    StringBuilder sb = new StringBuilder(1024 + 600 * sections.size());
    line(sb, "v=0");
    line(sb, "o=- " + sessionId + " " + version + " IN IP4 0.0.0.0");
    line(sb, "s=parch-sfu");
    line(sb, "t=0 0");
    StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
    for (Section s : sections) {
      bundle.append(' ').append(s.mid());
    }
    line(sb, bundle.toString());
    line(sb, "a=msid-semantic: WMS *");
    line(sb, "a=ice-lite");
    for (Section s : sections) {
      line(sb, "m=audio 9 UDP/TLS/RTP/SAVPF " + OPUS_PT);
      line(sb, "c=IN IP4 0.0.0.0");
      line(sb, "a=rtcp:9 IN IP4 0.0.0.0");
      line(sb, "a=ice-ufrag:" + iceUfrag);
      line(sb, "a=ice-pwd:" + icePwd);
      line(sb, "a=fingerprint:" + fingerprint.toSdpValue());
      line(sb, "a=setup:actpass");
      line(sb, "a=mid:" + s.mid());
      line(sb, "a=extmap:" + AUDIO_LEVEL_ID + " " + PeerAnswer.AUDIO_LEVEL_URI);
      line(sb, "a=extmap:" + MID_ID + " " + PeerAnswer.MID_URI);
      line(sb, "a=" + s.direction());
      if (s.direction().equals("sendonly")) {
        line(sb, "a=msid:" + s.streamId() + " " + s.trackId());
      }
      line(sb, "a=rtcp-mux");
      line(sb, "a=rtcp-rsize");
      line(sb, "a=rtpmap:" + OPUS_PT + " opus/48000/2");
      line(sb, "a=rtcp-fb:" + OPUS_PT + " nack");
      line(sb, "a=fmtp:" + OPUS_PT + " minptime=10;useinbandfec=1");
      if (s.direction().equals("sendonly")) {
        line(sb, "a=ssrc:" + s.ssrc() + " cname:" + s.cname());
        line(sb, "a=ssrc:" + s.ssrc() + " msid:" + s.streamId() + " " + s.trackId());
      }
      int foundation = 1;
      for (InetSocketAddress c : candidates) {
        String ip = c.getAddress().getHostAddress();
        line(sb, "a=candidate:" + foundation + " 1 udp " + (2130706431L - foundation + 1) + " " + ip + " " + c.getPort()
            + " typ host");
        foundation++;
      }
      line(sb, "a=end-of-candidates");
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String l) {
    sb.append(l).append("\r\n");
  }
}
