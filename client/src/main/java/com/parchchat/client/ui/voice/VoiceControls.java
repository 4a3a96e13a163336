package com.parchchat.client.ui.voice;

import com.parchchat.client.voice.VoiceCall;
import com.parchchat.client.voice.VoiceDeviceListener;
import com.parchchat.client.voice.VoiceEngine;
import com.parchchat.client.voice.VoiceException;
import com.parchchat.client.voice.VoiceSession;
import dev.onvoid.webrtc.media.audio.AudioDevice;
import java.util.List;

/**
 * What the voice panel may do to the call it shows. The real implementation ({@link #of}) goes to a
 * {@link VoiceSession} (which also tells the host, so the space sees mute and deafen) and its
 * {@link VoiceEngine} (devices); tests can supply their own.
 */
public interface VoiceControls {

  void setMuted(boolean muted);

  void setDeafened(boolean deafened);

  void setPushToTalk(boolean enabled);

  void setPushToTalkPressed(boolean pressed);

  void leave();

  /** Local input level, 0..1. */
  double inputLevel();

  /** Capture device names (empty when the engine runs headless). */
  List<String> microphones();

  /** Playout device names (empty when the engine runs headless). */
  List<String> speakers();

  void selectMicrophone(String name);

  void selectSpeaker(String name);

  /** The microphone chosen earlier (this call or one before it), or null for the default. */
  default String chosenMicrophone() {
    return null;
  }

  /** The speaker chosen earlier, or null for the default. */
  default String chosenSpeaker() {
    return null;
  }

  /** Tells {@code l} when a chosen device goes away and comes back; null stops telling. */
  default void setDeviceListener(VoiceDeviceListener l) {
  }

  /** Sets another member's playback volume, 0..2 (0 %–200 %). */
  default void setUserVolume(String userId, double volume) {
  }

  /** Another member's playback volume, 0..2. */
  default double userVolume(String userId) {
    return 1;
  }

  /** Controls backed by a live session and its engine. */
  static VoiceControls of(VoiceSession session, VoiceEngine engine) {
    return of(session, engine, null, null);
  }

  /**
   * Controls backed by a live session and its engine; volumes are taken from and saved to
   * {@code volumes} (per user id), and a device choice that worked is saved to {@code devices}, each when
   * not null.
   */
  static VoiceControls of(VoiceSession session, VoiceEngine engine, VoiceVolumes volumes, VoiceDevices devices) {
    if (volumes != null) {
      volumes.all().forEach(session::setUserVolume);
    }
    return new VoiceControls() {
      @Override
      public void setUserVolume(String userId, double volume) {
        session.setUserVolume(userId, volume);
        if (volumes != null) {
          volumes.set(userId, volume);
        }
      }

      @Override
      public double userVolume(String userId) {
        return session.userVolume(userId);
      }

      @Override
      public void setMuted(boolean muted) {
        session.setMuted(muted);
      }

      @Override
      public void setDeafened(boolean deafened) {
        session.setDeafened(deafened);
      }

      @Override
      public void setPushToTalk(boolean enabled) {
        VoiceCall c = session.call();
        if (c != null) {
          c.setPushToTalk(enabled);
        }
      }

      @Override
      public void setPushToTalkPressed(boolean pressed) {
        VoiceCall c = session.call();
        if (c != null) {
          c.setPushToTalkPressed(pressed);
        }
      }

      @Override
      public void leave() {
        session.leave();
      }

      @Override
      public double inputLevel() {
        VoiceCall c = session.call();
        return c == null ? 0 : c.localLevel();
      }

      @Override
      public List<String> microphones() {
        return engine.microphones().stream().map(AudioDevice::getName).toList();
      }

      @Override
      public List<String> speakers() {
        return engine.speakers().stream().map(AudioDevice::getName).toList();
      }

      @Override
      public void selectMicrophone(String name) {
        engine.microphones().stream().filter(d -> d.getName().equals(name)).findFirst()
            .ifPresentOrElse(engine::selectMicrophone, () -> {
              throw new VoiceException("no microphone named " + name);
            });
        if (devices != null) {
          devices.setMicrophone(name);
        }
      }

      @Override
      public void selectSpeaker(String name) {
        engine.speakers().stream().filter(d -> d.getName().equals(name)).findFirst()
            .ifPresentOrElse(engine::selectSpeaker, () -> {
              throw new VoiceException("no speaker named " + name);
            });
        if (devices != null) {
          devices.setSpeaker(name);
        }
      }

      @Override
      public String chosenMicrophone() {
        return engine.chosenMicrophone();
      }

      @Override
      public String chosenSpeaker() {
        return engine.chosenSpeaker();
      }

      @Override
      public void setDeviceListener(VoiceDeviceListener l) {
        engine.setDeviceListener(l);
      }
    };
  }
}
