package com.parchchat.sfu.support;

/** The three SDP operations a WebRTC peer under test offers (testkit's ToneBot and ChromiumPeer). */
public interface SdpPeer {
  String createOffer();

  String acceptOffer(String offerSdp);

  void applyAnswer(String answerSdp);
}
