package com.parchchat.bench.sfu;

import com.parchchat.testkit.webrtc.ToneBot;

/** An SFU under load: a process, and a way to put libwebrtc bots into one room on it. */
interface SfuTarget extends AutoCloseable {
  String name();

  long pid();

  /** Joins a sending bot. */
  void addPublisher(String id, ToneBot bot) throws Exception;

  /** Joins a receive-only bot that gets every publisher's stream (call after all publishers). */
  void addSubscriber(String id, ToneBot bot) throws Exception;

  @Override
  void close();
}
