package com.parchchat.e2e.voice;

import com.parchchat.testkit.netns.NetNs;
import com.parchchat.testkit.stack.ParchStack;
import java.nio.file.Path;

/**
 * The whole voice path as real processes — relay, host, SFU and our TURN server (a
 * {@link ParchStack} with voice) — for the voice tests: serial GC like the desktop client's services
 * on a small box, and short log tails in failure messages (four services' worth).
 */
final class VoiceStack {
  private VoiceStack() {
  }

  /** Everything on 127.0.0.1. */
  static ParchStack loopback(Path dir, int voiceCapacity) {
    return builder(dir, voiceCapacity).start();
  }

  /** Everything inside {@code ns}, bound to {@code address} (the namespace's public address). */
  static ParchStack inNamespace(Path dir, NetNs ns, String address, int voiceCapacity) {
    return builder(dir, voiceCapacity).inNamespace(ns, address).start();
  }

  private static ParchStack.Builder builder(Path dir, int voiceCapacity) {
    return ParchStack.builder(dir)
        .jvmOptions("-Xmx256m", "-XX:+UseSerialGC")
        .host("Voice Host")
        .voice(voiceCapacity)
        .logTailLines(25);
  }
}
