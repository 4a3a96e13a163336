package com.parchchat.testkit.synth;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The SDP a synthetic peer writes and the parts of the SFU's SDP it reads (RFC 8829, RFC 8866):
 * an offer with one sendonly Opus section (publishers), and answers to the SFU's offers where each
 * section's direction is chosen by the caller. The peer is always {@code a=setup:active} (DTLS
 * client) and offers its one loopback host candidate with the SDP (no trickle).
 */
public final class SynthSdp {
  public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final int OPUS_PT = 111;
  public static final int AUDIO_LEVEL_ID = 1;

  /** One m-section of the remote description. */
  public record Section(String mLine, String mid, String direction, boolean rejected, int opusPt, int audioLevelId) {}

  /** What the peer needs from the remote description; {@code candidate} is null when the SFU trickles its candidates instead. */
  public record Remote(String ufrag, String pwd, String fingerprint, InetSocketAddress candidate, List<Section> sections) {
    /** The same description with media sent to {@code elsewhere} (a proxy in front of the SFU). */
    public Remote withCandidate(InetSocketAddress elsewhere) {
      return new Remote(ufrag, pwd, fingerprint, elsewhere, sections);
    }
  }

  private SynthSdp() {}

  public static Remote parse(String sdp) {
    String ufrag = null;
    String pwd = null;
    String fp = null;
    InetSocketAddress cand = null;
    List<Section> sections = new ArrayList<>();
    String mLine = null;
    String mid = null;
    String dir = "sendrecv";
    int pt = -1;
    int level = 0;
    for (String raw : sdp.split("\r?\n")) {
      String l = raw.trim();
      if (l.startsWith("m=")) {
        if (mLine != null) {
          sections.add(section(mLine, mid, dir, pt, level));
        }
        mLine = l;
        mid = null;
        dir = "sendrecv";
        pt = -1;
        level = 0;
      } else if (l.startsWith("a=ice-ufrag:") && ufrag == null) {
        ufrag = l.substring(12);
      } else if (l.startsWith("a=ice-pwd:") && pwd == null) {
        pwd = l.substring(10);
      } else if (l.startsWith("a=fingerprint:") && fp == null) {
        fp = l.substring(14);
      } else if (l.startsWith("a=mid:")) {
        mid = l.substring(6);
      } else if (l.equals("a=sendrecv") || l.equals("a=sendonly") || l.equals("a=recvonly") || l.equals("a=inactive")) {
        dir = l.substring(2);
      } else if (l.startsWith("a=rtpmap:") && pt < 0 && l.toLowerCase().contains(" opus/48000")) {
        pt = Integer.parseInt(l.substring(9, l.indexOf(' ')));
      } else if (l.startsWith("a=extmap:") && l.endsWith(AUDIO_LEVEL_URI)) {
        String id = l.substring(9, l.indexOf(' '));
        level = Integer.parseInt(id.contains("/") ? id.substring(0, id.indexOf('/')) : id);
      } else if (l.startsWith("a=candidate:") && cand == null) {
        // foundation component transport priority address port typ type
        String[] f = l.substring(12).split(" ");
        if (f.length >= 8 && f[2].equalsIgnoreCase("udp") && f[1].equals("1") && f[4].matches("[0-9.]+")) {
          cand = new InetSocketAddress(f[4], Integer.parseInt(f[5]));
        }
      }
    }
    if (mLine != null) {
      sections.add(section(mLine, mid, dir, pt, level));
    }
    // no candidate: Janus trickles its candidates; its own checks then tell us its address
    if (ufrag == null || pwd == null || fp == null) {
      throw new IllegalStateException("remote SDP lacks ICE credentials or fingerprint:\n" + sdp);
    }
    return new Remote(ufrag, pwd, fp, cand, sections);
  }

  private static Section section(String mLine, String mid, String dir, int pt, int level) {
    String[] f = mLine.split(" ");
    boolean rejected = f.length > 1 && f[1].equals("0");
    return new Section(mLine, mid, dir, rejected, pt, level);
  }

  /** A publisher's offer: one sendonly Opus section with the audio-level extension and its SSRC. */
  public static String offer(SynthPeer p) {
    StringBuilder sb = head(p);
    sb.append("a=group:BUNDLE 0\r\n");
    sb.append("a=msid-semantic: WMS ").append(p.name).append("\r\n");
    media(sb, p, "0", OPUS_PT, AUDIO_LEVEL_ID, "sendonly", false);
    return sb.toString();
  }

  /**
   * An answer to the SFU's offer: the same sections in the same order; {@code directionFor} gives
   * each live section's answer direction (null rejects it).
   */
  public static String answer(SynthPeer p, Remote offer, Function<Section, String> directionFor) {
    return answer(p, offer, directionFor, false);
  }

  /** As {@link #answer(SynthPeer, Remote, Function)}; {@code nack} also accepts generic NACK feedback (RFC 4585 §4.2). */
  public static String answer(SynthPeer p, Remote offer, Function<Section, String> directionFor, boolean nack) {
    StringBuilder sb = head(p);
    StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
    List<String> dirs = new ArrayList<>();
    for (Section s : offer.sections()) {
      String d = s.rejected() || s.opusPt() < 0 ? null : directionFor.apply(s);
      dirs.add(d);
      if (d != null) {
        bundle.append(' ').append(s.mid());
      }
    }
    sb.append(bundle).append("\r\n");
    sb.append("a=msid-semantic: WMS ").append(p.name).append("\r\n");
    for (int i = 0; i < offer.sections().size(); i++) {
      Section s = offer.sections().get(i);
      String d = dirs.get(i);
      if (d == null) {
        String[] f = s.mLine().split(" ", 3);
        sb.append(f[0]).append(" 0 ").append(f.length > 2 ? f[2] : "").append("\r\n");
        sb.append("c=IN IP4 0.0.0.0\r\n");
        sb.append("a=mid:").append(s.mid()).append("\r\n");
        sb.append("a=inactive\r\n");
      } else {
        media(sb, p, s.mid(), s.opusPt(), s.audioLevelId(), d, nack);
      }
    }
    return sb.toString();
  }

  private static StringBuilder head(SynthPeer p) {
    StringBuilder sb = new StringBuilder(1024);
    sb.append("v=0\r\n");
    sb.append("o=- ").append(p.sessionId).append(' ').append(p.sdpVersion++).append(" IN IP4 ").append(p.host()).append("\r\n");
    sb.append("s=-\r\nt=0 0\r\n");
    return sb;
  }

  private static void media(StringBuilder sb, SynthPeer p, String mid, int pt, int levelId, String direction,
      boolean nack) {
    sb.append("m=audio ").append(p.localPort()).append(" UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n");
    sb.append("c=IN IP4 ").append(p.host()).append("\r\n");
    sb.append("a=rtcp:").append(p.localPort()).append(" IN IP4 ").append(p.host()).append("\r\n");
    sb.append("a=ice-ufrag:").append(p.ufrag).append("\r\n");
    sb.append("a=ice-pwd:").append(p.pwd).append("\r\n");
    sb.append("a=fingerprint:").append(p.identity.fingerprint).append("\r\n");
    sb.append("a=setup:active\r\n");
    sb.append("a=mid:").append(mid).append("\r\n");
    if (levelId > 0) {
      sb.append("a=extmap:").append(levelId).append(' ').append(AUDIO_LEVEL_URI).append("\r\n");
    }
    sb.append("a=").append(direction).append("\r\n");
    boolean sends = direction.equals("sendonly") || direction.equals("sendrecv");
    if (sends) {
      sb.append("a=msid:").append(p.name).append(' ').append(p.name).append("-audio\r\n");
    }
    sb.append("a=rtcp-mux\r\n");
    sb.append("a=rtpmap:").append(pt).append(" opus/48000/2\r\n");
    sb.append("a=fmtp:").append(pt).append(" minptime=10;useinbandfec=1\r\n");
    if (nack) {
      sb.append("a=rtcp-fb:").append(pt).append(" nack\r\n");
    }
    if (sends) {
      long ssrc = Integer.toUnsignedLong(p.ssrc);
      sb.append("a=ssrc:").append(ssrc).append(" cname:").append(p.name).append("\r\n");
      sb.append("a=ssrc:").append(ssrc).append(" msid:").append(p.name).append(' ').append(p.name).append("-audio\r\n");
    }
    sb.append("a=candidate:1 1 udp 2130706431 ").append(p.host()).append(' ').append(p.localPort()).append(" typ host\r\n");
    sb.append("a=end-of-candidates\r\n");
  }
}
