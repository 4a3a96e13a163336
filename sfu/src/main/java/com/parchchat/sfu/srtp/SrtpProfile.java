package com.parchchat.sfu.srtp;

import org.jitsi.srtp.SrtpPolicy;

/**
 * The two DTLS-SRTP protection profiles the SFU negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2), with
 * key and salt lengths used to split the DTLS exporter output (RFC 5764 §4.2).
 */
public enum SrtpProfile {
  AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14),
  AEAD_AES_128_GCM(0x0007, 16, 12);

  private final int dtlsId;
  private final int keyLength;
  private final int saltLength;

  SrtpProfile(int dtlsId, int keyLength, int saltLength) {
    this.dtlsId = dtlsId;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
  }

  public int dtlsId() {
    return dtlsId;
  }

  public int keyLength() {
    return keyLength;
  }

  public int saltLength() {
    return saltLength;
  }

  /** Bytes of keying material to export: client key, server key, client salt, server salt. */
  public int keyingMaterialLength() {
    return 2 * (keyLength + saltLength);
  }

  public static SrtpProfile byDtlsId(int id) {
    for (SrtpProfile p : values()) {
      if (p.dtlsId == id) {
        return p;
      }
    }
    return null;
  }

  /**
   * jitsi policy for this profile. Receive replay protection stays on (RFC 3711 §3.3.2); send-side
   * replay checks are off because the SFU answers NACKs by re-sending the identical packet.
   */
  SrtpPolicy policy() {
    SrtpPolicy p = this == AEAD_AES_128_GCM
        ? new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, saltLength)
        : new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, saltLength);
    p.setSendReplayEnabled(false);
    p.setReceiveReplayEnabled(true);
    return p;
  }
}
