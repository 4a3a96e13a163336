package com.parchchat.sfu.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.parchchat.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the SFU needs at start, validated here so a bad key fails fast with its name.
 *
 * @param signalHost        address of the WebSocket/HTTP listener
 * @param signalPort        its port (0 = ephemeral, for tests)
 * @param mediaHost         address the one media UDP socket binds to
 * @param mediaPort         its port (0 = ephemeral)
 * @param advertisedAddresses addresses put in ICE candidates; empty = the media bind address
 * @param tokenSecret       HS256 secret shared with the relay (≥ 32 bytes)
 * @param adminSecret       bearer secret for {@code /admin} calls (≥ 16 bytes)
 * @param roomCapacity      most members per room
 * @param maxRooms          most rooms at once
 * @param loudestN          forward only this many loudest speakers per room (0 = everybody)
 * @param maxFrameBytes     WebSocket frame limit
 * @param speakerIntervalMillis how often {@code speakers} is computed and sent
 * @param consentTimeoutSeconds media consent (RFC 7675) expiry without a valid STUN check
 * @param srtpProfiles      DTLS-SRTP profiles in preference order
 * @param sendThreads       threads besides the media thread that encrypt and send receivers' copies,
 *                          each owning a share of the receivers (0 = the media thread does it all;
 *                          absent = {@link #DEFAULT_SEND_THREADS})
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record SfuConfig(String signalHost, int signalPort, String mediaHost, int mediaPort,
    List<String> advertisedAddresses, String tokenSecret, String adminSecret, int roomCapacity, int maxRooms,
    int loudestN, int maxFrameBytes, int speakerIntervalMillis, int consentTimeoutSeconds,
    List<SrtpProfile> srtpProfiles, Integer sendThreads) {

  public static final int DEFAULT_SIGNAL_PORT = 7880;
  /**
   * No send threads by default: on the loaded 2-core development machine the hand-off to a send
   * thread cost 20–45 % more CPU per forwarded packet, and its latency gain is not shown yet
   * (docs/performance.md, SFU, fourth session); the CPU targets come first.
   */
  public static final int DEFAULT_SEND_THREADS = 0;
  public static final int DEFAULT_MEDIA_PORT = 7882;

  /**
   * Default DTLS-SRTP preference: AES_CM_128_HMAC_SHA1_80 first, AEAD_AES_128_GCM when a client
   * offers only that. Every forwarded copy is encrypted once per receiver, and AES-CM's send
   * transform ({@code srtp.AesCmSrtpSender}) costs 0.33–0.46 µs per copy against 1.56 µs for GCM on
   * jitsi-srtp/OpenSSL (srtp.SrtpSendCost, 50 receivers × 24 speakers); libwebrtc lists GCM
   * first when it offers it; the server's preference decides (RFC 5764 §4.1.1).
   */
  public static final List<SrtpProfile> DEFAULT_SRTP_PROFILES =
      List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM);

  public SfuConfig {
    signalHost = signalHost == null ? "0.0.0.0" : signalHost;
    mediaHost = mediaHost == null ? "0.0.0.0" : mediaHost;
    advertisedAddresses = advertisedAddresses == null ? List.of() : List.copyOf(advertisedAddresses);
    srtpProfiles = srtpProfiles == null || srtpProfiles.isEmpty() ? DEFAULT_SRTP_PROFILES : List.copyOf(srtpProfiles);
    port("signalPort", signalPort);
    port("mediaPort", mediaPort);
    address("signalHost", signalHost);
    address("mediaHost", mediaHost);
    for (String a : advertisedAddresses) {
      address("advertisedAddresses", a);
    }
    if (advertisedAddresses.isEmpty() && isWildcard(mediaHost)) {
      throw new IllegalArgumentException("advertisedAddresses: required when mediaHost is a wildcard address");
    }
    if (tokenSecret == null || tokenSecret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("tokenSecret: must be at least 32 bytes (HS256)");
    }
    if (adminSecret == null || adminSecret.getBytes(StandardCharsets.UTF_8).length < 16) {
      throw new IllegalArgumentException("adminSecret: must be at least 16 bytes");
    }
    range("roomCapacity", roomCapacity, 1, 1000);
    range("maxRooms", maxRooms, 1, 1_000_000);
    range("loudestN", loudestN, 0, 1000);
    range("maxFrameBytes", maxFrameBytes, 4096, 1 << 20);
    range("speakerIntervalMillis", speakerIntervalMillis, 50, 10_000);
    range("consentTimeoutSeconds", consentTimeoutSeconds, 5, 600);
    sendThreads = sendThreads == null ? DEFAULT_SEND_THREADS : sendThreads;
    range("sendThreads", sendThreads, 0, 64);
  }

  /** Defaults for everything but the secrets and addresses. */
  public static SfuConfig defaults(String tokenSecret, String adminSecret, String host) {
    return new SfuConfig(host, DEFAULT_SIGNAL_PORT, host, DEFAULT_MEDIA_PORT, List.of(), tokenSecret, adminSecret, 50,
        1000, 0, 64 * 1024, 300, 30, null, null);
  }

  public SfuConfig withPorts(int signal, int media) {
    return new SfuConfig(signalHost, signal, mediaHost, media, advertisedAddresses, tokenSecret, adminSecret,
        roomCapacity, maxRooms, loudestN, maxFrameBytes, speakerIntervalMillis, consentTimeoutSeconds, srtpProfiles, sendThreads);
  }

  public SfuConfig withRooms(int capacity, int loudest) {
    return new SfuConfig(signalHost, signalPort, mediaHost, mediaPort, advertisedAddresses, tokenSecret, adminSecret,
        capacity, maxRooms, loudest, maxFrameBytes, speakerIntervalMillis, consentTimeoutSeconds, srtpProfiles, sendThreads);
  }

  public SfuConfig withSrtpProfiles(List<SrtpProfile> profiles) {
    return new SfuConfig(signalHost, signalPort, mediaHost, mediaPort, advertisedAddresses, tokenSecret, adminSecret,
        roomCapacity, maxRooms, loudestN, maxFrameBytes, speakerIntervalMillis, consentTimeoutSeconds, profiles, sendThreads);
  }

  public SfuConfig withSendThreads(int threads) {
    return new SfuConfig(signalHost, signalPort, mediaHost, mediaPort, advertisedAddresses, tokenSecret, adminSecret,
        roomCapacity, maxRooms, loudestN, maxFrameBytes, speakerIntervalMillis, consentTimeoutSeconds, srtpProfiles,
        threads);
  }

  /** Reads a YAML file whose keys are this record's component names; unknown keys are errors. */
  public static SfuConfig load(Path yaml) throws IOException {
    ObjectMapper m = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    try {
      return m.readValue(yaml.toFile(), SfuConfig.class);
    } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
      Throwable c = e.getCause();
      throw new IllegalArgumentException(yaml + ": " + (c != null ? c.getMessage() : e.getOriginalMessage()), e);
    }
  }

  @Override
  public String toString() {
    return "SfuConfig[signal=" + signalHost + ":" + signalPort + ", media=" + mediaHost + ":" + mediaPort
        + ", advertised=" + advertisedAddresses + ", roomCapacity=" + roomCapacity + ", maxRooms=" + maxRooms
        + ", loudestN=" + loudestN + ", srtpProfiles=" + srtpProfiles + ", sendThreads=" + sendThreads
        + ", secrets=<redacted>]";
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::");
  }

  private static void port(String key, int p) {
    range(key, p, 0, 65535);
  }

  private static void range(String key, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + ": must be in [" + min + ", " + max + "], got " + v);
    }
  }

  private static void address(String key, String a) {
    if (a == null || a.isBlank() || !a.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException(key + ": not an IP address literal: " + a);
    }
    try {
      InetAddress.getByName(a);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(key + ": not an IP address: " + a);
    }
  }
}
