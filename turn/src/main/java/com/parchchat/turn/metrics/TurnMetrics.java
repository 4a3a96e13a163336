package com.parchchat.turn.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Counters of the TURN server, rendered in the Prometheus text exposition format (0.0.4).
 * Hand-written rather than micrometer-registry-prometheus: a dozen counters and two gauges
 * need no registry, the hot path increments a {@link LongAdder} with no tag lookup, and the
 * jar stays free of the Prometheus client libraries.
 */
public final class TurnMetrics {
  public final LongAdder allocationsCreated = new LongAdder();
  public final LongAdder allocationsExpired = new LongAdder();
  public final LongAdder packetsToPeer = new LongAdder();
  public final LongAdder bytesToPeer = new LongAdder();
  public final LongAdder packetsToClient = new LongAdder();
  public final LongAdder bytesToClient = new LongAdder();
  public final LongAdder authFailures = new LongAdder();
  public final LongAdder staleNonces = new LongAdder();
  public final LongAdder refusedPeers = new LongAdder();
  public final LongAdder quotaRejections = new LongAdder();
  public final LongAdder droppedNoPermission = new LongAdder();
  public final LongAdder droppedNoChannel = new LongAdder();
  public final LongAdder droppedBandwidth = new LongAdder();
  public final LongAdder droppedRateLimited = new LongAdder();
  public final LongAdder droppedSendFailed = new LongAdder();
  public final LongAdder malformed = new LongAdder();
  public final LongAdder requests = new LongAdder();

  private volatile IntSupplier allocations = () -> 0;
  private volatile IntSupplier relayPorts = () -> 0;

  public void gauges(IntSupplier allocations, IntSupplier relayPorts) {
    this.allocations = allocations;
    this.relayPorts = relayPorts;
  }

  public String render() {
    StringBuilder sb = new StringBuilder(2048);
    gauge(sb, "turn_allocations", "Current allocations", allocations.getAsInt());
    gauge(sb, "turn_relay_ports_in_use", "Relayed ports in use", relayPorts.getAsInt());
    counter(sb, "turn_allocations_created_total", "Allocations created", allocationsCreated);
    counter(sb, "turn_allocations_expired_total", "Allocations removed by expiry", allocationsExpired);
    counter(sb, "turn_requests_total", "STUN requests received", requests);
    counter(sb, "turn_packets_to_peer_total", "Packets relayed client to peer", packetsToPeer);
    counter(sb, "turn_bytes_to_peer_total", "Payload bytes relayed client to peer", bytesToPeer);
    counter(sb, "turn_packets_to_client_total", "Packets relayed peer to client", packetsToClient);
    counter(sb, "turn_bytes_to_client_total", "Payload bytes relayed peer to client", bytesToClient);
    counter(sb, "turn_auth_failures_total", "Requests answered 401 after a failed credential check", authFailures);
    counter(sb, "turn_stale_nonces_total", "Requests answered 438", staleNonces);
    counter(sb, "turn_refused_peers_total", "Peer addresses refused by policy (403)", refusedPeers);
    counter(sb, "turn_quota_rejections_total", "Allocations refused by quota (486/508)", quotaRejections);
    counter(sb, "turn_dropped_no_permission_total", "Packets dropped for lack of a permission", droppedNoPermission);
    counter(sb, "turn_dropped_no_channel_total", "ChannelData dropped on an unbound channel", droppedNoChannel);
    counter(sb, "turn_dropped_bandwidth_total", "Packets dropped by the bandwidth cap", droppedBandwidth);
    counter(sb, "turn_dropped_rate_limited_total", "Unauthenticated requests dropped by the rate limit",
        droppedRateLimited);
    counter(sb, "turn_dropped_send_failed_total", "Relayed packets the kernel refused (send buffer full, peer unreachable)",
        droppedSendFailed);
    counter(sb, "turn_malformed_total", "Undecodable datagrams or frames", malformed);
    return sb.toString();
  }

  private static void gauge(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
    sb.append(name).append(' ').append(v).append('\n');
  }

  private static void counter(StringBuilder sb, String name, String help, LongAdder v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append(' ').append(v.sum()).append('\n');
  }
}
