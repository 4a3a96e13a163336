package com.parchchat.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed SDP (RFC 8866 §5): session-level attributes and media sections. Only the structure is
 * parsed here; {@link PeerAnswer} interprets what the SFU needs. Limits keep hostile input cheap.
 */
public record SessionDescription(List<Attribute> attributes, List<Media> media) {
  public static final int MAX_BYTES = 64 * 1024;
  public static final int MAX_MEDIA = 256;
  public static final int MAX_LINES = 8192;

  public SessionDescription {
    attributes = List.copyOf(attributes);
    media = List.copyOf(media);
  }

  /** An {@code a=name[:value]} line; value is empty for flags. */
  public record Attribute(String name, String value) {}

  /** One {@code m=} section and its attributes (RFC 8866 §5.14). */
  public record Media(String type, int port, String proto, List<String> formats, List<Attribute> attributes) {
    public Media {
      formats = List.copyOf(formats);
      attributes = List.copyOf(attributes);
    }

    public String first(String name) {
      return SessionDescription.first(attributes, name);
    }

    public List<String> all(String name) {
      return SessionDescription.all(attributes, name);
    }

    public boolean has(String name) {
      return first(name) != null;
    }
  }

  public String first(String name) {
    return first(attributes, name);
  }

  static String first(List<Attribute> attrs, String name) {
    for (Attribute a : attrs) {
      if (a.name().equals(name)) {
        return a.value();
      }
    }
    return null;
  }

  static List<String> all(List<Attribute> attrs, String name) {
    List<String> out = new ArrayList<>();
    for (Attribute a : attrs) {
      if (a.name().equals(name)) {
        out.add(a.value());
      }
    }
    return out;
  }

  /** Parses SDP text; lines may end in CRLF or LF. */
  public static SessionDescription parse(String sdp) throws SdpParseException {
    if (sdp == null || sdp.isEmpty()) {
      throw new SdpParseException("empty SDP");
    }
    if (sdp.length() > MAX_BYTES) {
      throw new SdpParseException("SDP larger than " + MAX_BYTES + " characters");
    }
    String[] lines = sdp.split("\r?\n");
    if (lines.length > MAX_LINES) {
      throw new SdpParseException("SDP has more than " + MAX_LINES + " lines");
    }
    if (lines.length == 0 || !lines[0].equals("v=0")) { // e.g. "\n": split() drops all-empty lines
      throw new SdpParseException("line 1: SDP must start with v=0");
    }
    List<Attribute> session = new ArrayList<>();
    List<Media> media = new ArrayList<>();
    String mType = null;
    int mPort = 0;
    String mProto = null;
    List<String> mFormats = null;
    List<Attribute> mAttrs = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != '=') {
        throw new SdpParseException("line " + (i + 1) + ": not of the form <type>=<value>");
      }
      char type = line.charAt(0);
      String value = line.substring(2);
      if (type == 'm') {
        if (mType != null) {
          media.add(new Media(mType, mPort, mProto, mFormats, mAttrs));
        }
        if (media.size() >= MAX_MEDIA) {
          throw new SdpParseException("more than " + MAX_MEDIA + " media sections");
        }
        String[] parts = value.split(" ");
        if (parts.length < 4) {
          throw new SdpParseException("line " + (i + 1) + ": m= needs <media> <port> <proto> <fmt>...");
        }
        mType = parts[0];
        try {
          String port = parts[1];
          int slash = port.indexOf('/');
          mPort = Integer.parseInt(slash < 0 ? port : port.substring(0, slash));
        } catch (NumberFormatException e) {
          throw new SdpParseException("line " + (i + 1) + ": bad port " + parts[1]);
        }
        if (mPort < 0 || mPort > 65535) {
          throw new SdpParseException("line " + (i + 1) + ": port out of range");
        }
        mProto = parts[2];
        mFormats = new ArrayList<>(List.of(parts).subList(3, parts.length));
        mAttrs = new ArrayList<>();
      } else if (type == 'a') {
        int colon = value.indexOf(':');
        Attribute a = colon < 0 ? new Attribute(value, "") : new Attribute(value.substring(0, colon), value.substring(colon + 1));
        (mAttrs == null ? session : mAttrs).add(a);
      }
    }
    if (mType != null) {
      media.add(new Media(mType, mPort, mProto, mFormats, mAttrs));
    }
    return new SessionDescription(session, media);
  }
}
