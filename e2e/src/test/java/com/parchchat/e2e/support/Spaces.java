package com.parchchat.e2e.support;

import com.parchchat.client.core.HostSession;
import com.parchchat.client.core.SpaceState;
import com.parchchat.protocol.api.Channel;
import com.parchchat.protocol.api.ChannelKind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Steps on a space that the e2e tests share. */
public final class Spaces {

  private Spaces() {
  }

  /**
   * The space's first text channel: the host gives a new space one; should it not, the owner creates
   * {@code general}.
   */
  public static Channel textChannel(HostSession owner, SpaceState space) {
    return space.channels().get().stream().filter(c -> c.kind() == ChannelKind.TEXT).findFirst()
        .orElseGet(() -> join(owner.createChannel(space.id(), "general", ChannelKind.TEXT)));
  }

  /** The reply to a host request within 10 s; anything else fails the test. */
  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
