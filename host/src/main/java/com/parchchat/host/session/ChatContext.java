package com.parchchat.host.session;

import com.parchchat.host.config.HostConfig;
import com.parchchat.host.store.Store;
import com.parchchat.host.voice.VoiceRooms;
import com.parchchat.protocol.signal.Limits;
import com.parchchat.protocol.signal.SignalCodec;
import java.util.function.LongSupplier;

/** What every chat operation needs; one per running host. */
public record ChatContext(Store store, Fanout fanout, Sessions sessions, VoiceRooms voice, HostConfig config,
    SignalCodec codec, LongSupplier clock) {

  public Limits limits() {
    return config.limits();
  }

  public long now() {
    return clock.getAsLong();
  }
}
