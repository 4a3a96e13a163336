package com.parchchat.client.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The playout mixer's jitter buffers, driven by hand (no clocks): pushes and pulls in the orders two
 * independent 10 ms clocks produce, checked sample by sample.
 */
class PlayoutMixerTest {

  private static final int FRAME = 480;
  private final Map<String, Double> volumes = new ConcurrentHashMap<>();
  private final PlayoutMixer mixer = new PlayoutMixer(u -> volumes.getOrDefault(u, 1.0), 30, 120);
  private short next = 1;

  /** 10 ms of a ramp 1, 2, 3, … so every sample says where it came from. */
  private byte[] frame() {
    byte[] b = new byte[2 * FRAME];
    for (int i = 0; i < FRAME; i++) {
      short v = next++;
      b[2 * i] = (byte) v;
      b[2 * i + 1] = (byte) (v >> 8);
    }
    return b;
  }

  private void push(String member) {
    mixer.offer(member, frame(), 16, 48_000, 1, FRAME);
  }

  private short[] pull() {
    short[] out = new short[FRAME];
    mixer.mix(out, FRAME);
    return out;
  }

  @Test
  void aMemberPlaysOnlyOnceThirtyMillisecondsAreBufferedThenWithoutGaps() {
    pull(); // a speaker is pulling: the mixer accepts audio
    push("bob");
    assertThat(pull()).containsOnly((short) 0);
    push("bob");
    assertThat(pull()).containsOnly((short) 0);
    push("bob");
    assertThat(mixer.bufferedMillis("bob")).isEqualTo(30.0);
    short[] first = pull();
    assertThat(first[0]).isEqualTo((short) 1);
    assertThat(first[FRAME - 1]).isEqualTo((short) FRAME);
    // the two clocks now alternate in any order, with a push late by up to 20 ms: no gap, in order
    short expected = FRAME + 1;
    for (int round = 0; round < 50; round++) {
      if (round % 7 == 3) {
        short[] a = pull();
        short[] b = pull();
        push("bob");
        push("bob");
        assertThat(a[0]).isEqualTo(expected);
        assertThat(b[0]).isEqualTo((short) (expected + FRAME));
        expected += 2 * FRAME;
      } else {
        push("bob");
        short[] a = pull();
        assertThat(a[0]).isEqualTo(expected);
        assertThat(a[FRAME - 1]).isEqualTo((short) (expected + FRAME - 1));
        expected += FRAME;
      }
    }
    assertThat(mixer.underflows()).isZero();
    assertThat(mixer.droppedSamples()).isZero();
  }

  @Test
  void anUnderflowPlaysWhatIsLeftThenPrimesAgain() {
    pull();
    for (int i = 0; i < 3; i++) {
      push("bob");
    }
    pull();
    pull();
    pull(); // buffer empty now
    short[] gap = pull();
    assertThat(gap).containsOnly((short) 0);
    assertThat(mixer.underflows()).isEqualTo(1);
    push("bob");
    assertThat(pull()).as("priming again: one frame is not enough").containsOnly((short) 0);
    push("bob");
    push("bob");
    short[] resumed = pull();
    assertThat(resumed[0]).isEqualTo((short) (3 * FRAME + 1));
    assertThat(mixer.underflows()).isEqualTo(1);
  }

  @Test
  void aStalledSpeakerDoesNotGrowTheLatencyBeyondTheBound() {
    pull();
    for (int i = 1; i <= 100; i++) {
      mixer.offer("bob", constant(i), 16, 48_000, 1, FRAME); // one second while the speaker pulls nothing
      assertThat(mixer.bufferedMillis("bob")).isLessThanOrEqualTo(120.0);
    }
    assertThat(mixer.droppedSamples()).isGreaterThan(0);
    // what plays next is at most 120 ms old, not a second-old backlog
    assertThat((int) pull()[0]).isGreaterThanOrEqualTo(100 - 12);
  }

  private static byte[] constant(int v) {
    byte[] b = new byte[2 * FRAME];
    for (int i = 0; i < FRAME; i++) {
      b[2 * i] = (byte) v;
      b[2 * i + 1] = (byte) (v >> 8);
    }
    return b;
  }

  @Test
  void membersAreSummedWithTheirVolumeAndSaturated() {
    volumes.put("bob", 0.5);
    volumes.put("carol", 2.0);
    pull();
    byte[] loud = constant(20_000);
    byte[] quiet = constant(1000);
    for (int i = 0; i < 3; i++) {
      mixer.offer("bob", quiet, 16, 48_000, 1, FRAME);
      mixer.offer("dave", quiet, 16, 48_000, 1, FRAME);
    }
    assertThat(pull()).containsOnly((short) 1500);
    for (int i = 0; i < 3; i++) {
      mixer.offer("carol", loud, 16, 48_000, 1, FRAME);
    }
    assertThat(pull()).containsOnly(Short.MAX_VALUE);
  }

  @Test
  void anIdleMixerKeepsNothingAndBadBoundsAreRefused() {
    push("bob"); // nobody pulled yet
    assertThat(mixer.bufferedMillis("bob")).isZero();
    assertThatThrownBy(() -> new PlayoutMixer(u -> 1, 30, 35)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PlayoutMixer(u -> 1, -1, 100)).isInstanceOf(IllegalArgumentException.class);
  }
}
