package com.parchchat.sfu.sdp;

import com.parchchat.sfu.dtls.Fingerprint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the SFU takes from a participant's SDP, offer or answer (RFC 8829 §5.7–5.8, RFC 3264): the
 * DTLS fingerprint and role, the ICE ufrag, and per media section the mid, direction, Opus payload
 * type, header-extension ids and declared SSRCs. Validates what the SFU relies on.
 */
public record PeerDescription(Fingerprint fingerprint, String setup, String iceUfrag, List<MediaLine> media) {
  public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";

  public PeerDescription {
    media = List.copyOf(media);
  }

  /**
   * One m-section as the peer described it. {@code opusPayloadType} is -1 when absent; extension ids
   * are 0 when the peer did not list them.
   */
  public record MediaLine(String mid, String type, String proto, List<String> formats, boolean rejected,
      String direction, int opusPayloadType, int audioLevelId, int midExtensionId, List<Long> ssrcs) {
    public MediaLine {
      formats = List.copyOf(formats);
      ssrcs = List.copyOf(ssrcs);
    }

    public boolean peerSends() {
      return !rejected && (direction.equals("sendonly") || direction.equals("sendrecv"));
    }

    public boolean peerReceives() {
      return !rejected && (direction.equals("recvonly") || direction.equals("sendrecv"));
    }

    /** An audio section with Opus the SFU can use. */
    public boolean usableAudio() {
      return !rejected && type.equals("audio") && opusPayloadType >= 0;
    }
  }

  /**
   * Reads an answer to the SFU's offer. RFC 3264 §6: same number of m-lines, same order (mids
   * match); the answerer must take {@code a=setup:active} because the SFU is the DTLS server.
   */
  public static PeerDescription readAnswer(SessionDescription sdp, List<String> offeredMids) throws SdpParseException {
    if (sdp.media().size() != offeredMids.size()) {
      throw new SdpParseException("answer has " + sdp.media().size() + " m-lines, offer had " + offeredMids.size());
    }
    PeerDescription d = read(sdp);
    for (int i = 0; i < offeredMids.size(); i++) {
      MediaLine m = d.media().get(i);
      if (!m.mid().equals(offeredMids.get(i))) {
        throw new SdpParseException("m-line " + i + ": mid " + m.mid() + " does not match offered " + offeredMids.get(i));
      }
      if (!m.rejected() && m.opusPayloadType() < 0) {
        throw new SdpParseException("m-line " + i + ": answer accepted the section without opus/48000/2");
      }
    }
    if (!d.setup().equals("active")) {
      throw new SdpParseException("answer must take a=setup:active (the SFU is the DTLS server), got " + d.setup());
    }
    return d;
  }

  /**
   * Reads a participant's initial offer: it must offer {@code actpass} or {@code active} (the SFU
   * is always the DTLS server) and contain at least one audio section with Opus.
   */
  public static PeerDescription readOffer(SessionDescription sdp) throws SdpParseException {
    PeerDescription d = read(sdp);
    if (!d.setup().equals("actpass") && !d.setup().equals("active")) {
      throw new SdpParseException("offer must use a=setup:actpass or active (the SFU is the DTLS server), got " + d.setup());
    }
    boolean audio = false;
    for (MediaLine m : d.media()) {
      audio |= m.usableAudio();
    }
    if (!audio) {
      throw new SdpParseException("offer has no audio section with opus/48000/2");
    }
    return d;
  }

  private static PeerDescription read(SessionDescription sdp) throws SdpParseException {
    if (sdp.media().isEmpty()) {
      throw new SdpParseException("no m-lines");
    }
    String fp = sdp.first("fingerprint");
    String setup = sdp.first("setup");
    String ufrag = sdp.first("ice-ufrag");
    List<MediaLine> out = new ArrayList<>();
    Set<String> mids = new HashSet<>();
    for (int i = 0; i < sdp.media().size(); i++) {
      SessionDescription.Media m = sdp.media().get(i);
      String mid = m.first("mid");
      if (mid == null || mid.isEmpty() || mid.length() > 32 || !mids.add(mid)) {
        throw new SdpParseException("m-line " + i + ": missing, too long or duplicate a=mid");
      }
      boolean rejected = m.port() == 0 && !m.has("bundle-only");
      if (!rejected) {
        if (fp == null) {
          fp = m.first("fingerprint");
        }
        if (setup == null) {
          setup = m.first("setup");
        }
        if (ufrag == null) {
          ufrag = m.first("ice-ufrag");
        }
      }
      String direction = "sendrecv";
      for (String dir : List.of("sendrecv", "sendonly", "recvonly", "inactive")) {
        if (m.has(dir)) {
          direction = dir;
        }
      }
      int opus = -1;
      for (String rtpmap : m.all("rtpmap")) {
        String[] parts = rtpmap.split(" ", 2);
        if (opus < 0 && parts.length == 2 && parts[1].toLowerCase(Locale.ROOT).startsWith("opus/48000")) {
          opus = parseInt(parts[0], "rtpmap payload type", i, 127);
        }
      }
      Map<String, Integer> ext = new HashMap<>();
      for (String extmap : m.all("extmap")) {
        String[] parts = extmap.split(" ");
        if (parts.length < 2) {
          throw new SdpParseException("m-line " + i + ": bad extmap " + extmap);
        }
        String id = parts[0];
        int slash = id.indexOf('/');
        ext.put(parts[1], parseInt(slash < 0 ? id : id.substring(0, slash), "extmap id", i, 255));
      }
      List<Long> ssrcs = new ArrayList<>();
      for (String s : m.all("ssrc")) {
        int sp = s.indexOf(' ');
        long v = parseSsrc(sp < 0 ? s : s.substring(0, sp), i);
        if (!ssrcs.contains(v)) {
          ssrcs.add(v);
        }
      }
      out.add(new MediaLine(mid, m.type(), m.proto(), m.formats(), rejected, direction, opus,
          ext.getOrDefault(AUDIO_LEVEL_URI, 0), ext.getOrDefault(MID_URI, 0), ssrcs));
    }
    if (fp == null) {
      throw new SdpParseException("no a=fingerprint");
    }
    String[] fpParts = fp.trim().split(" ");
    if (fpParts.length != 2) {
      throw new SdpParseException("bad a=fingerprint");
    }
    Fingerprint fingerprint;
    try {
      fingerprint = new Fingerprint(fpParts[0], fpParts[1]);
    } catch (IllegalArgumentException e) {
      throw new SdpParseException(e.getMessage());
    }
    if (setup == null) {
      throw new SdpParseException("no a=setup");
    }
    if (ufrag == null) {
      throw new SdpParseException("no a=ice-ufrag");
    }
    return new PeerDescription(fingerprint, setup, ufrag, out);
  }

  private static int parseInt(String s, String what, int line, int max) throws SdpParseException {
    try {
      int v = Integer.parseInt(s);
      if (v < 0 || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new SdpParseException("m-line " + line + ": bad " + what + " " + s);
    }
  }

  private static long parseSsrc(String s, int line) throws SdpParseException {
    try {
      long v = Long.parseLong(s);
      if (v < 0 || v > 0xFFFFFFFFL) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new SdpParseException("m-line " + line + ": bad ssrc " + s);
    }
  }
}
