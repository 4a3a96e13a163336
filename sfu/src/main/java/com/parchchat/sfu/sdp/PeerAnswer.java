package com.parchchat.sfu.sdp;

import com.parchchat.sfu.dtls.Fingerprint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the SFU takes from a participant's SDP answer to its offer (RFC 8829 §5.3 / RFC 3264 §6):
 * the DTLS fingerprint and role, and per media section the direction, Opus payload type,
 * header-extension ids and declared SSRCs. Validates the answer against the offer's mids.
 */
public record PeerAnswer(Fingerprint fingerprint, String setup, String iceUfrag, List<MediaAnswer> media) {
  public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";

  public PeerAnswer {
    media = List.copyOf(media);
  }

  /** One answered m-section. {@code opusPayloadType} is -1 when the section was rejected. */
  public record MediaAnswer(String mid, String direction, boolean rejected, int opusPayloadType, int audioLevelId,
      int midExtensionId, List<Long> ssrcs) {
    public MediaAnswer {
      ssrcs = List.copyOf(ssrcs);
    }

    public boolean peerSends() {
      return !rejected && (direction.equals("sendonly") || direction.equals("sendrecv"));
    }

    public boolean peerReceives() {
      return !rejected && (direction.equals("recvonly") || direction.equals("sendrecv"));
    }
  }

  /**
   * Reads an answer. {@code offeredMids} are the mids of the offer in order; RFC 3264 §6 requires
   * the answer to have the same number of m-lines in the same order.
   */
  public static PeerAnswer read(SessionDescription sdp, List<String> offeredMids) throws SdpParseException {
    if (sdp.media().size() != offeredMids.size()) {
      throw new SdpParseException("answer has " + sdp.media().size() + " m-lines, offer had " + offeredMids.size());
    }
    String fp = sdp.first("fingerprint");
    String setup = sdp.first("setup");
    String ufrag = sdp.first("ice-ufrag");
    List<MediaAnswer> out = new ArrayList<>();
    for (int i = 0; i < sdp.media().size(); i++) {
      SessionDescription.Media m = sdp.media().get(i);
      String mid = m.first("mid");
      if (mid == null || !mid.equals(offeredMids.get(i))) {
        throw new SdpParseException("m-line " + i + ": mid " + mid + " does not match offered " + offeredMids.get(i));
      }
      if (!m.type().equals("audio")) {
        throw new SdpParseException("m-line " + i + ": only audio is supported");
      }
      if (fp == null) {
        fp = m.first("fingerprint");
      }
      if (setup == null) {
        setup = m.first("setup");
      }
      if (ufrag == null) {
        ufrag = m.first("ice-ufrag");
      }
      boolean rejected = m.port() == 0 && !m.has("bundle-only");
      String direction = "sendrecv";
      for (String d : List.of("sendrecv", "sendonly", "recvonly", "inactive")) {
        if (m.has(d)) {
          direction = d;
        }
      }
      int opus = -1;
      for (String rtpmap : m.all("rtpmap")) {
        String[] parts = rtpmap.split(" ", 2);
        if (parts.length == 2 && parts[1].toLowerCase(Locale.ROOT).startsWith("opus/48000")) {
          opus = parseInt(parts[0], "rtpmap payload type", i);
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
        ext.put(parts[1], parseInt(slash < 0 ? id : id.substring(0, slash), "extmap id", i));
      }
      List<Long> ssrcs = new ArrayList<>();
      for (String s : m.all("ssrc")) {
        int sp = s.indexOf(' ');
        long v = parseLong(sp < 0 ? s : s.substring(0, sp), i);
        if (!ssrcs.contains(v)) {
          ssrcs.add(v);
        }
      }
      if (!rejected && opus < 0) {
        throw new SdpParseException("m-line " + i + ": answer accepted the section without opus/48000/2");
      }
      out.add(new MediaAnswer(mid, direction, rejected, opus, ext.getOrDefault(AUDIO_LEVEL_URI, 0),
          ext.getOrDefault(MID_URI, 0), ssrcs));
    }
    if (fp == null) {
      throw new SdpParseException("answer has no a=fingerprint");
    }
    String[] fpParts = fp.trim().split(" ");
    if (fpParts.length != 2) {
      throw new SdpParseException("bad a=fingerprint: " + fp);
    }
    Fingerprint fingerprint;
    try {
      fingerprint = new Fingerprint(fpParts[0], fpParts[1]);
    } catch (IllegalArgumentException e) {
      throw new SdpParseException(e.getMessage());
    }
    if (setup == null) {
      throw new SdpParseException("answer has no a=setup");
    }
    if (!setup.equals("active")) {
      throw new SdpParseException("answer must take a=setup:active (the SFU is the DTLS server), got " + setup);
    }
    if (ufrag == null) {
      throw new SdpParseException("answer has no a=ice-ufrag");
    }
    return new PeerAnswer(fingerprint, setup, ufrag, out);
  }

  private static int parseInt(String s, String what, int line) throws SdpParseException {
    try {
      int v = Integer.parseInt(s);
      if (v < 0 || v > 255) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new SdpParseException("m-line " + line + ": bad " + what + " " + s);
    }
  }

  private static long parseLong(String s, int line) throws SdpParseException {
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
