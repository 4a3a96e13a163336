package com.parchchat.sfu.sdp;

import com.parchchat.sfu.dtls.Fingerprint;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Writes the SFU's descriptions (RFC 8829, Unified Plan): its offers, and its answer when a client
 * makes the first offer. The section carrying the participant's microphone is recvonly for the SFU
 * (inactive for receive-only members); every other live section is one remote speaker's track,
 * sendonly with its SSRC and msid, or inactive once that speaker left; sections the SFU does not use
 * are rejected (port 0). Live sections share one bundled ICE-lite transport.
 */
public final class SdpWriter {
  public static final int DEFAULT_OPUS_PT = 111;
  public static final int DEFAULT_AUDIO_LEVEL_ID = 1;
  public static final int DEFAULT_MID_ID = 4;

  /**
   * One m-section. For rejected sections {@code type/proto/formats} repeat the peer's m-line;
   * {@code ssrc}, {@code streamId}, {@code trackId} matter only for sendonly sections.
   */
  public record Section(String mid, String direction, boolean rejected, String type, String proto, String formats,
      long ssrc, String streamId, String trackId) {
    public static Section audio(String mid, String direction) {
      return new Section(mid, direction, false, "audio", null, null, 0, null, null);
    }

    public static Section track(String mid, long ssrc, String streamId, String trackId) {
      return new Section(mid, "sendonly", false, "audio", null, null, ssrc, streamId, trackId);
    }

    public static Section rejected(String mid, String type, String proto, String formats) {
      return new Section(mid, "inactive", true, type, proto, formats, 0, null, null);
    }
  }

  /** The transport and codec parameters shared by every live section. */
  public record Transport(long sessionId, long version, String iceUfrag, String icePwd, Fingerprint fingerprint,
      String setup, List<InetSocketAddress> candidates, int opusPayloadType, int audioLevelId, int midExtensionId,
      String cname) {}

  private SdpWriter() {}

  public static String write(Transport t, List<Section> sections) {
    StringBuilder sb = new StringBuilder(1024 + 700 * sections.size());
    line(sb, "v=0");
    line(sb, "o=- " + t.sessionId() + " " + t.version() + " IN IP4 0.0.0.0");
    line(sb, "s=parch-sfu");
    line(sb, "t=0 0");
    StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
    for (Section s : sections) {
      if (!s.rejected()) {
        bundle.append(' ').append(s.mid());
      }
    }
    line(sb, bundle.toString());
    line(sb, "a=msid-semantic: WMS *");
    line(sb, "a=ice-lite");
    int pt = t.opusPayloadType();
    for (Section s : sections) {
      if (s.rejected()) {
        line(sb, "m=" + s.type() + " 0 " + s.proto() + " " + s.formats());
        line(sb, "c=IN IP4 0.0.0.0");
        line(sb, "a=mid:" + s.mid());
        line(sb, "a=inactive");
        continue;
      }
      line(sb, "m=audio 9 UDP/TLS/RTP/SAVPF " + pt);
      line(sb, "c=IN IP4 0.0.0.0");
      line(sb, "a=rtcp:9 IN IP4 0.0.0.0");
      line(sb, "a=ice-ufrag:" + t.iceUfrag());
      line(sb, "a=ice-pwd:" + t.icePwd());
      line(sb, "a=fingerprint:" + t.fingerprint().toSdpValue());
      line(sb, "a=setup:" + t.setup());
      line(sb, "a=mid:" + s.mid());
      if (t.audioLevelId() > 0) {
        line(sb, "a=extmap:" + t.audioLevelId() + " " + PeerDescription.AUDIO_LEVEL_URI);
      }
      if (t.midExtensionId() > 0) {
        line(sb, "a=extmap:" + t.midExtensionId() + " " + PeerDescription.MID_URI);
      }
      line(sb, "a=" + s.direction());
      if (s.direction().equals("sendonly")) {
        line(sb, "a=msid:" + s.streamId() + " " + s.trackId());
      }
      line(sb, "a=rtcp-mux");
      line(sb, "a=rtcp-rsize");
      line(sb, "a=rtpmap:" + pt + " opus/48000/2");
      line(sb, "a=rtcp-fb:" + pt + " nack");
      line(sb, "a=fmtp:" + pt + " minptime=10;useinbandfec=1");
      if (s.direction().equals("sendonly")) {
        line(sb, "a=ssrc:" + s.ssrc() + " cname:" + t.cname());
        line(sb, "a=ssrc:" + s.ssrc() + " msid:" + s.streamId() + " " + s.trackId());
      }
      int foundation = 1;
      for (InetSocketAddress c : t.candidates()) {
        line(sb, "a=candidate:" + foundation + " 1 udp " + (2130706431L - foundation + 1) + " "
            + c.getAddress().getHostAddress() + " " + c.getPort() + " typ host");
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
