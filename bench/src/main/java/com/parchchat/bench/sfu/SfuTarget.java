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

  /** Starts a new in-SFU latency window, if the SFU can report one. */
  default void resetLatency() {}

  /** In-SFU forwarding latency since {@link #resetLatency()}, e.g. "p50 12 µs, p99 40 µs"; null if unknown. */
  default String latency() {
    return null;
  }

  @Override
  void close();
}
