package com.parchchat.client.ui.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chosen microphone and speaker survive a restart (a new instance reads the file the last one
 * wrote); an unreadable file means the default devices, not a failure. Applying them to a real engine on
 * a real sound server is in {@code client.voice.PulseDeviceSwitchTest}.
 */
class VoiceDevicesTest {

  @TempDir
  Path config;

  @Test
  void choicesSurviveARestart() {
    VoiceDevices first = new VoiceDevices(config);
    assertThat(first.microphone()).isEmpty();
    assertThat(first.speaker()).isEmpty();

    first.setMicrophone("USB Headset = Mono");
    first.setSpeaker("Built-in Audio Analog Stereo");
    first.setMicrophone("Webcam Microphone");

    VoiceDevices next = new VoiceDevices(config);
    assertThat(next.microphone()).contains("Webcam Microphone");
    assertThat(next.speaker()).contains("Built-in Audio Analog Stereo");
    assertThat(Files.exists(config.resolve(VoiceDevices.FILE + ".tmp"))).isFalse();
  }

  @Test
  void anUnreadableFileMeansTheDefaultsAndIsReplacedByTheNextChoice() throws Exception {
    Files.writeString(config.resolve(VoiceDevices.FILE), "microphone=bad \\u12", StandardCharsets.ISO_8859_1);
    VoiceDevices devices = new VoiceDevices(config);
    assertThat(devices.microphone()).isEmpty();

    devices.setSpeaker("Headphones");
    assertThat(new VoiceDevices(config).speaker()).contains("Headphones");
  }

  @Test
  void aBlankNameIsRefused() {
    VoiceDevices devices = new VoiceDevices(config);
    assertThatThrownBy(() -> devices.setMicrophone(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThat(devices.microphone()).isEmpty();
  }
}
