package com.parchchat.relay.routing;

import com.parchchat.relay.config.LimitsConfig;
import com.parchchat.relay.metrics.RelayMetrics;
import io.netty.channel.Channel;

/** An authenticated host WebSocket connection. */
public final class HostLink extends Peer {
  private final String hostId;
  private final String name;

  public HostLink(String hostId, String name, Channel channel, RelayMetrics metrics, LimitsConfig limits) {
    super(channel, metrics, limits);
    this.hostId = hostId;
    this.name = name;
  }

  public String hostId() {
    return hostId;
  }

  public String name() {
    return name;
  }

  @Override
  public String describe() {
    return "host " + hostId + " (" + channel.remoteAddress() + ")";
  }
}
