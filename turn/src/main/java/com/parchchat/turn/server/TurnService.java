package com.parchchat.turn.server;

import com.parchchat.protocol.stun.ChannelData;
import com.parchchat.protocol.stun.StunAttribute;
import com.parchchat.protocol.stun.StunAttribute.AdditionalAddressFamily;
import com.parchchat.protocol.stun.StunAttribute.AddressErrorCode;
import com.parchchat.protocol.stun.StunAttribute.ChannelNumber;
import com.parchchat.protocol.stun.StunAttribute.Data;
import com.parchchat.protocol.stun.StunAttribute.DontFragment;
import com.parchchat.protocol.stun.StunAttribute.ErrorCode;
import com.parchchat.protocol.stun.StunAttribute.EvenPort;
import com.parchchat.protocol.stun.StunAttribute.Fingerprint;
import com.parchchat.protocol.stun.StunAttribute.Lifetime;
import com.parchchat.protocol.stun.StunAttribute.MessageIntegrity;
import com.parchchat.protocol.stun.StunAttribute.MessageIntegritySha256;
import com.parchchat.protocol.stun.StunAttribute.Nonce;
import com.parchchat.protocol.stun.StunAttribute.Realm;
import com.parchchat.protocol.stun.StunAttribute.RequestedAddressFamily;
import com.parchchat.protocol.stun.StunAttribute.RequestedTransport;
import com.parchchat.protocol.stun.StunAttribute.ReservationToken;
import com.parchchat.protocol.stun.StunAttribute.UnknownAttributes;
import com.parchchat.protocol.stun.StunAttribute.Username;
import com.parchchat.protocol.stun.StunAttribute.XorMappedAddress;
import com.parchchat.protocol.stun.StunAttribute.XorPeerAddress;
import com.parchchat.protocol.stun.StunAttribute.XorRelayedAddress;
import com.parchchat.protocol.stun.StunClass;
import com.parchchat.protocol.stun.StunIntegrity;
import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunMethod;
import com.parchchat.protocol.stun.StunParseException;
import com.parchchat.turn.allocation.Allocation;
import com.parchchat.turn.allocation.AllocationManager;
import com.parchchat.turn.allocation.ChannelBinding;
import com.parchchat.turn.allocation.ClientSink;
import com.parchchat.turn.allocation.FiveTuple;
import com.parchchat.turn.allocation.PeerPolicy;
import com.parchchat.turn.auth.CredentialStore;
import com.parchchat.turn.auth.NonceService;
import com.parchchat.turn.auth.RequestRateLimiter;
import com.parchchat.turn.config.TurnConfig;
import com.parchchat.turn.metrics.TurnMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TURN protocol engine (RFC 8656 over RFC 8489), independent of how bytes reached it:
 * the UDP and TCP handlers hand it frames, and it answers through the client's
 * {@link ClientSink}. Request handlers quote the RFC's numbered MUST steps in order.
 * Everything for one allocation runs on the client's event loop (its relay socket is
 * registered on the same loop), so the data path takes no locks and makes no thread hops.
 */
public final class TurnService {
  private static final Logger log = LoggerFactory.getLogger(TurnService.class);
  private static final int MAX_BIND_ATTEMPTS = 16;
  /** Highest channel number accepted: RFC 5766's 0x7FFF, as coturn does (RFC 8656 says 0x4FFF). */
  static final int MAX_COMPAT_CHANNEL = 0x7FFF;

  private final TurnConfig config;
  private final Clock clock;
  private final TurnMetrics metrics;
  private final AllocationManager allocations;
  private final CredentialStore credentials;
  private final NonceService nonces;
  private final RequestRateLimiter unauthLimiter;
  private final PeerPolicy peerPolicy;
  private final Class<? extends DatagramChannel> datagramChannelClass;
  private final InetAddress relayBindAddress;
  private final InetAddress advertisedRelayAddress;

  public TurnService(TurnConfig config, Clock clock, TurnMetrics metrics,
      Class<? extends DatagramChannel> datagramChannelClass) {
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
    this.datagramChannelClass = datagramChannelClass;
    this.credentials = new CredentialStore(config, clock);
    this.nonces = new NonceService(config.nonceLifetimeSeconds(), clock);
    this.unauthLimiter = new RequestRateLimiter(config.unauthRatePerSecond(), config.unauthBurst(), clock);
    this.peerPolicy = new PeerPolicy(config.allowLoopbackPeers(), config.allowPrivatePeers());
    this.allocations = new AllocationManager(config.minPort(), config.maxPort(), config.userQuota(),
        config.totalQuota(), config.maxBps(), clock, a -> log.debug("allocation {} removed", a.fiveTuple()));
    try {
      this.relayBindAddress = InetAddress.getByName(config.relayIp());
      this.advertisedRelayAddress = InetAddress.getByName(config.advertisedRelayIp());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("relay-ip: " + e.getMessage(), e);
    }
    metrics.gauges(allocations::count, () -> allocations.ports().inUse());
  }

  public AllocationManager allocations() {
    return allocations;
  }

  TurnMetrics metrics() {
    return metrics;
  }

  /** Periodic housekeeping: expiry of allocations, permissions, channels; rate-limit table. */
  public void sweep() {
    int n = allocations.sweep().size();
    if (n > 0) {
      metrics.allocationsExpired.add(n);
    }
    unauthLimiter.sweep();
  }

  /** Removes every allocation (graceful shutdown). */
  public void closeAll() {
    for (Allocation a : new ArrayList<>(allocations.all())) {
      allocations.remove(a);
    }
  }

  /** A TCP client went away: RFC 8656 §3.1 ties the allocation to the connection. */
  public void clientDisconnected(FiveTuple fiveTuple) {
    Allocation a = allocations.get(fiveTuple);
    if (a != null) {
      allocations.remove(a);
    }
  }

  // ---------------------------------------------------------------- client → server

  /** One datagram or TCP frame from a client; {@code buf} is released by the caller. */
  public void onClientFrame(ClientSink sink, FiveTuple fiveTuple, ByteBuf buf) {
    int len = buf.readableBytes();
    if (len < 4) {
      metrics.malformed.increment();
      return;
    }
    if (isChannelData(buf)) {
      onChannelData(allocations.get(fiveTuple), buf);
      return;
    }
    byte[] bytes = ByteBufUtil.getBytes(buf);
    StunMessage msg;
    try {
      msg = StunMessage.decode(bytes);
    } catch (StunParseException e) {
      metrics.malformed.increment();
      log.debug("dropping malformed message from {}: {}", fiveTuple.client(), e.getMessage());
      return;
    }
    if (msg.messageClass() == StunClass.REQUEST) {
      metrics.requests.increment();
      onRequest(sink, fiveTuple, msg);
    } else if (msg.is(StunMethod.SEND, StunClass.INDICATION)) {
      onSendIndication(fiveTuple, msg);
    }
    // other indications and any responses from a client are ignored (RFC 8489 §6.3)
  }

  private void onRequest(ClientSink sink, FiveTuple ft, StunMessage req) {
    // RFC 8489 §6.3.1.1: unknown comprehension-required attributes → 420 with UNKNOWN-ATTRIBUTES
    List<Integer> unknown = req.unknownComprehensionRequired();
    if (!unknown.isEmpty()) {
      if (admitUnauthenticated(ft)) {
        sendError(sink, req, ErrorCode.UNKNOWN_ATTRIBUTE, null, new UnknownAttributes(unknown));
      }
      return;
    }
    switch (req.method()) {
      case StunMethod.BINDING:
        onBinding(sink, ft, req);
        break;
      case StunMethod.ALLOCATE:
        onAllocate(sink, ft, req);
        break;
      case StunMethod.REFRESH:
        onRefresh(sink, ft, req);
        break;
      case StunMethod.CREATE_PERMISSION:
        onCreatePermission(sink, ft, req);
        break;
      case StunMethod.CHANNEL_BIND:
        onChannelBind(sink, ft, req);
        break;
      default:
        if (admitUnauthenticated(ft)) {
          sendError(sink, req, ErrorCode.BAD_REQUEST, null);
        }
    }
  }

  /** RFC 8489 §18.2.1 Binding: answer with the reflexive address; no authentication. */
  private void onBinding(ClientSink sink, FiveTuple ft, StunMessage req) {
    if (!admitUnauthenticated(ft)) {
      return;
    }
    sendSuccess(sink, req, null, new XorMappedAddress(ft.client()));
  }

  /** RFC 8656 §7.2 Receiving an Allocate Request. */
  private void onAllocate(ClientSink sink, FiveTuple ft, StunMessage req) {
    // 1. "The server MUST require that the request be authenticated. This authentication MUST be
    //    done using the long-term credential mechanism of [RFC8489]"
    Auth auth = authenticate(sink, ft, req);
    if (auth == null) {
      return;
    }
    // 2. "The server checks if the 5-tuple is currently in use by an existing allocation. If yes,
    //    the server rejects the request with a 437 (Allocation Mismatch) error."
    //    (A retransmission of the Allocate that created it gets the same success response again.)
    Allocation existing = allocations.get(ft);
    if (existing != null) {
      if (existing.isAllocateRetransmission(req.transactionId())) {
        byte[] cached = existing.allocateResponse();
        if (cached != null) {
          sink.send(Unpooled.wrappedBuffer(cached));
        }
        return;
      }
      sendError(sink, req, ErrorCode.ALLOCATION_MISMATCH, auth.key());
      return;
    }
    // 3. "The server checks if the request contains a REQUESTED-TRANSPORT attribute. If the
    //    REQUESTED-TRANSPORT attribute is not included or is malformed, the server rejects the request
    //    with a 400 (Bad Request) error. Otherwise, if the attribute is included but specifies a protocol
    //    that is not supported by the server, the server rejects the request with a 442"
    RequestedTransport transport = req.get(RequestedTransport.class);
    if (transport == null) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    if (transport.protocol() != RequestedTransport.UDP) {
      sendError(sink, req, ErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL, auth.key());
      return;
    }
    // 4. "The request may contain a DONT-FRAGMENT attribute. If it does, but the server does not
    //    support sending UDP datagrams with the DF bit set to 1, then the server treats the
    //    DONT-FRAGMENT attribute in the Allocate request as an unknown comprehension-required attribute."
    if (req.has(DontFragment.class)) {
      sendError(sink, req, ErrorCode.UNKNOWN_ATTRIBUTE, auth.key(),
          new UnknownAttributes(List.of(new DontFragment().type())));
      return;
    }
    // 5. "The server checks if the request contains a RESERVATION-TOKEN attribute. If yes, and the
    //    request also contains an EVEN-PORT or REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY
    //    attribute, the server rejects the request with a 400 (Bad Request) error. Otherwise, it checks
    //    to see if the token is valid ... If the token is not valid ... 508 (Insufficient Capacity)"
    ReservationToken token = req.get(ReservationToken.class);
    EvenPort evenPort = req.get(EvenPort.class);
    RequestedAddressFamily family = req.get(RequestedAddressFamily.class);
    AdditionalAddressFamily additional = req.get(AdditionalAddressFamily.class);
    if (token != null && (evenPort != null || family != null || additional != null)) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    // 6. "The server checks if the request contains both REQUESTED-ADDRESS-FAMILY and
    //    ADDITIONAL-ADDRESS-FAMILY attributes. If yes, then the server rejects the request with a 400"
    if (family != null && additional != null) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    // 7. "If the server does not support the address family requested by the client in
    //    REQUESTED-ADDRESS-FAMILY ... it MUST generate an Allocate error response ... 440"
    int relayFamily = advertisedRelayAddress instanceof Inet4Address ? 0x01 : 0x02;
    if (family != null && family.family() != relayFamily) {
      sendError(sink, req, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, auth.key());
      return;
    }
    if (family == null && relayFamily != 0x01) {
      sendError(sink, req, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, auth.key());
      return;
    }
    // 9. "The server checks if the request contains an ADDITIONAL-ADDRESS-FAMILY attribute. If yes,
    //    and the attribute value is 0x01 (IPv4 address family), then the server rejects the request
    //    with a 400 (Bad Request) error." (We relay one family: the IPv6 half is refused in the
    //    success response with ADDRESS-ERROR-CODE 440, as §7.2 allows.)
    if (additional != null && additional.family() == 0x01) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    // 10. "At any point, the server MAY choose to reject the request with a 486 (Allocation Quota
    //     Reached) error if it feels the client is trying to exceed some locally defined allocation quota."
    //     (and 508 when the server is at capacity)
    AllocationManager.Creation creation = allocations.create(ft, auth.username(),
        credentials.quotaKey(auth.username()), sink, req.transactionId());
    if (creation.allocation() == null) {
      if (creation.errorCode() != ErrorCode.ALLOCATION_MISMATCH) {
        metrics.quotaRejections.increment();
      }
      sendError(sink, req, creation.errorCode(), auth.key());
      return;
    }
    Allocation allocation = creation.allocation();
    // 8. "The server checks if the request contains an EVEN-PORT attribute. If yes, then the server
    //    checks that it can satisfy the request ... If the server cannot satisfy the request, then the
    //    server rejects the request with a 508 (Insufficient Capacity) error."
    int port;
    if (token != null) {
      port = allocations.redeem(ByteBuffer.wrap(token.token()).getLong());
      if (port < 0) {
        allocations.remove(allocation);
        sendError(sink, req, ErrorCode.INSUFFICIENT_CAPACITY, auth.key());
        return;
      }
    } else {
      port = acquirePort(evenPort);
    }
    if (port < 0) {
      allocations.remove(allocation);
      metrics.quotaRejections.increment();
      sendError(sink, req, ErrorCode.INSUFFICIENT_CAPACITY, auth.key());
      return;
    }
    bindRelay(sink, req, auth, allocation, evenPort, additional, port, MAX_BIND_ATTEMPTS);
  }

  /**
   * A relay port for an Allocate without a token: with EVEN-PORT and the R bit an even port and
   * its next higher neighbour, both claimed (the neighbour is reserved for a later Allocate with
   * the token); -1 when the range cannot satisfy the request (508).
   */
  private int acquirePort(EvenPort evenPort) {
    return reservesPair(evenPort) ? allocations.ports().acquirePair() : allocations.ports().acquire(evenPort != null);
  }

  private static boolean reservesPair(EvenPort evenPort) {
    return evenPort != null && evenPort.reserve();
  }

  /** Returns {@code port} (and the neighbour claimed with it) to the pool. */
  private void releasePort(int port, EvenPort evenPort) {
    allocations.ports().release(port);
    if (reservesPair(evenPort)) {
      allocations.ports().release(port + 1);
    }
  }

  /** Binds the relayed UDP socket on the client's loop; tries other ports if the OS refuses one. */
  private void bindRelay(ClientSink sink, StunMessage req, Auth auth, Allocation allocation, EvenPort evenPort,
      AdditionalAddressFamily additional, int port, int attemptsLeft) {
    // the native data path reads the relay socket itself (NativeRelayReader) for UDP clients of a
    // listener with a native batch on this same loop; Netty's pipeline then never reads it
    NativeClientBatch batch = sink instanceof UdpClientSink ? ((UdpClientSink) sink).nativeBatch() : null;
    boolean nativeRead = batch != null && batch.eventLoop() == sink.eventLoop()
        && EpollDatagramChannel.class.isAssignableFrom(datagramChannelClass);
    Bootstrap bootstrap = new Bootstrap()
        .group(sink.eventLoop())
        .channel(datagramChannelClass)
        .option(ChannelOption.SO_RCVBUF, 256 * 1024)
        .option(ChannelOption.AUTO_READ, !nativeRead)
        .handler(new RelayPeerHandler(this, allocation));
    if (EpollDatagramChannel.class.isAssignableFrom(datagramChannelClass)) {
      // a relay socket usually has one datagram per wakeup: level-triggered with one read per
      // wakeup saves the extra recvmsg that only returns EAGAIN
      bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
          .option(ChannelOption.MAX_MESSAGES_PER_READ, 1);
    }
    ChannelFuture f = bootstrap.bind(new InetSocketAddress(relayBindAddress, port));
    f.addListener(done -> {
      if (!done.isSuccess()) {
        releasePort(port, evenPort);
        int next = attemptsLeft > 1 && !allocation.isClosed() ? acquirePort(evenPort) : -1;
        if (next < 0) {
          allocations.remove(allocation);
          sendError(sink, req, ErrorCode.INSUFFICIENT_CAPACITY, auth.key());
        } else {
          bindRelay(sink, req, auth, allocation, evenPort, additional, next, attemptsLeft - 1);
        }
        return;
      }
      Channel relay = f.channel();
      if (allocation.isClosed()) { // the client went away while we were binding
        relay.close();
        releasePort(port, evenPort);
        return;
      }
      long lifetime = grantedLifetime(req.get(Lifetime.class), false);
      List<StunAttribute> attrs = new ArrayList<>();
      attrs.add(new XorRelayedAddress(new InetSocketAddress(advertisedRelayAddress, port)));
      attrs.add(new Lifetime(lifetime));
      attrs.add(new XorMappedAddress(allocation.fiveTuple().client()));
      if (reservesPair(evenPort)) { // port + 1 was claimed with port by acquirePort
        long token = allocations.reserve(port + 1);
        attrs.add(new ReservationToken(ByteBuffer.allocate(8).putLong(token).array()));
      }
      if (additional != null) {
        attrs.add(new AddressErrorCode(additional.family(), ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED,
            ErrorCode.defaultReason(ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED)));
      }
      byte[] response = success(req, auth.key(), attrs.toArray(new StunAttribute[0]));
      if (relay instanceof EpollDatagramChannel) {
        // the ChannelData fast path sends on this descriptor itself (the channel still owns and closes it)
        allocation.relaySocket(new io.netty.channel.unix.Socket(((EpollDatagramChannel) relay).fd().intValue()));
        if (nativeRead && !NativeRelayReader.attach(this, allocation, (EpollDatagramChannel) relay, batch,
            allocation.fiveTuple().client())) {
          relay.config().setAutoRead(true); // Netty's path reads this one
        }
      }
      allocation.activate(relay, new InetSocketAddress(advertisedRelayAddress, port), port, response,
          clock.millis() + lifetime * 1000);
      metrics.allocationsCreated.increment();
      log.debug("allocation {} relayed at {} for {}s", allocation.fiveTuple(), port, lifetime);
      sink.send(Unpooled.wrappedBuffer(response));
    });
  }

  /**
   * RFC 8656 §7.3: the "desired lifetime" is zero if LIFETIME is zero; otherwise the minimum
   * of the requested lifetime and the maximum, but never below the default.
   */
  private long grantedLifetime(Lifetime requested, boolean zeroAllowed) {
    if (requested == null) {
      return config.defaultLifetimeSeconds();
    }
    if (requested.seconds() == 0 && zeroAllowed) {
      return 0;
    }
    long computed = Math.min(requested.seconds(), config.maxLifetimeSeconds());
    return Math.max(computed, config.defaultLifetimeSeconds());
  }

  /** RFC 8656 §7.3 Receiving a Refresh Request. */
  private void onRefresh(ClientSink sink, FiveTuple ft, StunMessage req) {
    Auth auth = authenticate(sink, ft, req);
    if (auth == null) {
      return;
    }
    // §5: a request other than Allocate on a 5-tuple with no allocation → 437; other credentials → 441
    Allocation a = allocationFor(sink, ft, req, auth);
    if (a == null) {
      return;
    }
    // "If the server receives a Refresh Request with a REQUESTED-ADDRESS-FAMILY attribute and the
    //  attribute value does not match the address family of the allocation, the server MUST reply
    //  with a 443 (Peer Address Family Mismatch) Refresh error response."
    RequestedAddressFamily family = req.get(RequestedAddressFamily.class);
    if (family != null && family.family() != familyOf(a.relayedAddress().getAddress())) {
      sendError(sink, req, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, auth.key());
      return;
    }
    // "If the 'desired lifetime' is zero, then the request succeeds and the allocation is deleted.
    //  If the 'desired lifetime' is non-zero, then the request succeeds and the allocation's
    //  time-to-expiry is set to the 'desired lifetime'."
    long lifetime = grantedLifetime(req.get(Lifetime.class), true);
    if (lifetime == 0) {
      allocations.remove(a);
    } else {
      a.setExpiresAt(clock.millis() + lifetime * 1000);
    }
    // "If the request succeeds, then the server sends a success response containing: A LIFETIME
    //  attribute containing the current value of the time-to-expiry timer."
    sendSuccess(sink, req, auth.key(), new Lifetime(lifetime));
  }

  /** RFC 8656 §9.2 Receiving a CreatePermission Request. */
  private void onCreatePermission(ClientSink sink, FiveTuple ft, StunMessage req) {
    Auth auth = authenticate(sink, ft, req);
    if (auth == null) {
      return;
    }
    Allocation a = allocationFor(sink, ft, req, auth);
    if (a == null) {
      return;
    }
    // "The CreatePermission request MUST contain at least one XOR-PEER-ADDRESS attribute and MAY
    //  contain multiple such attributes. If no such attribute exists, or if any of these attributes
    //  are invalid, then a 400 (Bad Request) error is returned."
    List<InetAddress> peers = new ArrayList<>();
    for (StunAttribute attr : req.attributes()) {
      if (attr instanceof XorPeerAddress p) {
        peers.add(p.address().getAddress());
      }
    }
    if (peers.isEmpty()) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    for (InetAddress peer : peers) {
      // "If an XOR-PEER-ADDRESS attribute contains an address of an address family that is not the
      //  same as that of a relayed transport address for the allocation, the server MUST generate an
      //  error response with the 443 (Peer Address Family Mismatch) response code."
      if (familyOf(peer) != familyOf(a.relayedAddress().getAddress())) {
        sendError(sink, req, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, auth.key());
        return;
      }
      // "The server MAY impose restrictions on the IP address allowed in the XOR-PEER-ADDRESS
      //  attribute; if a value is not allowed, the server rejects the request with a 403 (Forbidden) error."
      if (!peerPolicy.isAllowed(peer)) {
        metrics.refusedPeers.increment();
        sendError(sink, req, ErrorCode.FORBIDDEN, auth.key());
        return;
      }
    }
    // "If the message is valid and the server is capable of carrying out the request, then the
    //  server installs or refreshes a permission for the IP address contained in each
    //  XOR-PEER-ADDRESS attribute ... The port portion of each attribute is ignored"
    long now = clock.millis();
    for (InetAddress peer : peers) {
      a.installPermission(peer, now);
    }
    // "The server then responds with a CreatePermission success response."
    sendSuccess(sink, req, auth.key());
  }

  /** RFC 8656 §12.2 Receiving a ChannelBind Request. */
  private void onChannelBind(ClientSink sink, FiveTuple ft, StunMessage req) {
    Auth auth = authenticate(sink, ft, req);
    if (auth == null) {
      return;
    }
    Allocation a = allocationFor(sink, ft, req, auth);
    if (a == null) {
      return;
    }
    // "The server checks the following: The request contains both a CHANNEL-NUMBER and an
    //  XOR-PEER-ADDRESS attribute; The channel number is in the range 0x4000 through 0x4FFF
    //  (inclusive)" — otherwise 400.
    //  Deviation for coturn compatibility: like coturn we accept the RFC 5766 range up to 0x7FFF,
    //  because coturn's own clients pick channels there; the 01 prefix still demultiplexes.
    ChannelNumber number = req.get(ChannelNumber.class);
    XorPeerAddress peer = req.get(XorPeerAddress.class);
    if (number == null || peer == null || number.channel() < ChannelData.MIN_CHANNEL
        || number.channel() > MAX_COMPAT_CHANNEL) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    // "If the XOR-PEER-ADDRESS attribute contains an address of an address family that is not the
    //  same as that of a relayed transport address for the allocation, the server MUST generate an
    //  error response with the 443 (Peer Address Family Mismatch) response code."
    if (familyOf(peer.address().getAddress()) != familyOf(a.relayedAddress().getAddress())) {
      sendError(sink, req, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, auth.key());
      return;
    }
    // "The server MAY impose restrictions on the IP address and port values allowed in the
    //  XOR-PEER-ADDRESS attribute; if a value is not allowed, the server rejects the request with a
    //  403 (Forbidden) error."
    if (!peerPolicy.isAllowed(peer.address().getAddress())) {
      metrics.refusedPeers.increment();
      sendError(sink, req, ErrorCode.FORBIDDEN, auth.key());
      return;
    }
    // "The channel number is not currently bound to a different transport address (same transport
    //  address is OK); The transport address is not currently bound to a different channel number."
    long now = clock.millis();
    if (a.bindChannel(number.channel(), peer.address(), now) != Allocation.BindResult.BOUND) {
      sendError(sink, req, ErrorCode.BAD_REQUEST, auth.key());
      return;
    }
    // "If the request is valid ... the server replies with a ChannelBind success response ...
    //  binding (or refreshing) the channel for 10 minutes" and "installs or refreshes a permission
    //  for the IP address in the XOR-PEER-ADDRESS attribute"
    a.installPermission(peer.address().getAddress(), now);
    sendSuccess(sink, req, auth.key());
  }

  /** RFC 8656 §10.2 Receiving a Send Indication (indications are never answered). */
  private void onSendIndication(FiveTuple ft, StunMessage ind) {
    // "the server MUST check if the 5-tuple is currently in use by an allocation ... if not, discard"
    Allocation a = allocations.get(ft);
    if (a == null || a.relay() == null) {
      return;
    }
    // "The Send indication MUST contain both an XOR-PEER-ADDRESS attribute and a DATA attribute.
    //  If one of these attributes is missing or invalid, then the message is discarded."
    XorPeerAddress peer = ind.get(XorPeerAddress.class);
    Data data = ind.get(Data.class);
    if (peer == null || data == null) {
      metrics.malformed.increment();
      return;
    }
    // "The server also checks that there is a permission installed for the IP address contained in
    //  the XOR-PEER-ADDRESS attribute. If no such permission exists, the message is discarded."
    long now = clock.millis();
    if (!a.hasPermission(peer.address().getAddress(), now)) {
      metrics.droppedNoPermission.increment();
      return;
    }
    // "the server forms a UDP datagram ... Application Data: set to the contents of the DATA
    //  attribute. The resulting UDP datagram is then sent to the peer."
    byte[] payload = data.value();
    if (!a.toPeer().tryConsume(payload.length, now)) {
      metrics.droppedBandwidth.increment();
      return;
    }
    metrics.packetsToPeer.increment();
    metrics.bytesToPeer.add(payload.length);
    a.relay().writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload), peer.address()),
        a.relay().voidPromise());
  }

  /**
   * RFC 8656 §12.4: the first two bits of a ChannelData message are 0b01, a STUN message's
   * are 0b00. {@code buf} must hold at least 4 readable bytes.
   */
  static boolean isChannelData(ByteBuf buf) {
    return (buf.getUnsignedByte(buf.readerIndex()) & 0xC0) == 0x40;
  }

  /**
   * RFC 8656 §12.6 Receiving a ChannelData Message (from the client), with the allocation
   * already looked up by the caller (null when the 5-tuple has none); {@code buf} is released
   * by the caller. The fast path: one channel lookup, one permission lookup, a retained slice
   * of the incoming buffer sent as is.
   */
  void onChannelData(Allocation a, ByteBuf buf) {
    if (a == null || a.relay() == null) {
      return;
    }
    int r = buf.readerIndex();
    int number = buf.getUnsignedShort(r);
    int length = buf.getUnsignedShort(r + 2);
    // "If the ChannelData message is received in a UDP datagram, and if the UDP datagram is too short
    //  to contain the claimed length of the ChannelData message, then the message is silently discarded."
    if (buf.readableBytes() < ChannelData.HEADER_LENGTH + length) {
      metrics.malformed.increment();
      return;
    }
    ChannelBinding binding = admitChannelData(a, number, length);
    if (binding == null) {
      return;
    }
    io.netty.channel.unix.Socket raw = a.relaySocket();
    Channel relay = a.relay();
    if (raw != null && buf.hasMemoryAddress() && relay.eventLoop().inEventLoop() && relay.isOpen()) {
      // one sendto on the relay socket, straight from the listener's receive buffer: no
      // DatagramPacket, no slice, no trip through the relay channel's pipeline and outbound buffer.
      // Only on the relay channel's own event loop (the relay is registered on the loop of the
      // listener that took the Allocate, so this is the usual case) and while it is open: its close
      // runs on that same loop, so the descriptor cannot be closed and reused by another socket
      // between the check and the sendto.
      InetSocketAddress peer = binding.peer();
      int sent;
      try {
        sent = raw.sendToAddress(buf.memoryAddress(), r + ChannelData.HEADER_LENGTH,
            r + ChannelData.HEADER_LENGTH + length, peer.getAddress(), peer.getPort());
      } catch (IOException e) { // e.g. ECONNREFUSED after an ICMP unreachable from the peer; the allocation lives on
        sent = -1;
        log.debug("relay {} to {}: {}", a.relayedAddress(), peer, e.toString());
      }
      if (sent < length) { // 0: the socket's send buffer is full (EAGAIN); media is loss-tolerant
        metrics.droppedSendFailed.increment();
        return;
      }
      metrics.packetsToPeer.increment();
      metrics.bytesToPeer.add(length);
      return;
    }
    metrics.packetsToPeer.increment();
    metrics.bytesToPeer.add(length);
    a.relay().writeAndFlush(new DatagramPacket(buf.retainedSlice(r + ChannelData.HEADER_LENGTH, length),
        binding.peer()), a.relay().voidPromise());
  }

  /**
   * RFC 8656 §12.6 checks for ChannelData of {@code length} bytes on channel {@code number} from
   * the allocation's client, shared by the Netty and the native paths: the binding to send it
   * to, or null when it is dropped (counted). The caller counts what it sends.
   */
  ChannelBinding admitChannelData(Allocation a, int number, int length) {
    // "If the ChannelData message is received on a channel that is not bound to any peer, then the
    //  message is silently discarded."
    long now = clock.millis();
    ChannelBinding binding = a.channel(number, now);
    if (binding == null) {
      metrics.droppedNoChannel.increment();
      return null;
    }
    if (!a.hasPermission(binding, now)) {
      metrics.droppedNoPermission.increment();
      return null;
    }
    if (!a.toPeer().tryConsume(length, now)) {
      metrics.droppedBandwidth.increment();
      return null;
    }
    return binding;
  }

  // ---------------------------------------------------------------- peer → client

  /** RFC 8656 §10.3 Receiving a UDP Datagram on a relayed transport address. */
  void onPeerDatagram(Allocation a, DatagramPacket packet) {
    InetSocketAddress peer = packet.sender();
    ByteBuf content = packet.content();
    int length = content.readableBytes();
    int channel = admitPeerDatagram(a, peer, length);
    if (channel < 0) {
      return;
    }
    ClientSink sink = a.client();
    ByteBuf out;
    if (channel > 0) {
      // §12.7: ChannelData with the channel number and the datagram's data; over TCP padded to 4 bytes
      int total = ChannelData.encodedLength(length, sink.isStream());
      out = packet.content().alloc().directBuffer(total);
      out.writeShort(channel);
      out.writeShort(length);
      out.writeBytes(content, content.readerIndex(), length);
      out.writeZero(total - ChannelData.HEADER_LENGTH - length);
    } else {
      // "If relaying is permitted but no channel is bound to the peer, then the server forms and
      //  sends a Data indication. The Data indication MUST contain both an XOR-PEER-ADDRESS and a
      //  DATA attribute."
      byte[] txId = new byte[StunMessage.TRANSACTION_ID_LENGTH];
      ThreadLocalRandom.current().nextBytes(txId);
      out = Unpooled.wrappedBuffer(StunMessage.builder(StunMethod.DATA, StunClass.INDICATION, txId)
          .add(new XorPeerAddress(peer))
          .add(new Data(ByteBufUtil.getBytes(content)))
          .encode());
    }
    sink.sendData(out);
  }

  /**
   * RFC 8656 §10.3 checks for a datagram of {@code length} bytes from {@code peer} at the
   * allocation's relayed address, shared by the Netty and the native read paths: the channel
   * number to frame it with (§12.7), 0 for a Data indication, or -1 when it is dropped (counted).
   * An admitted datagram is counted as relayed to the client.
   */
  int admitPeerDatagram(Allocation a, InetSocketAddress peer, int length) {
    long now = clock.millis();
    // "The server then checks to see whether the set of permissions for the allocation allow the
    //  relaying of the UDP datagram as described in Section 9."
    // (the channel is looked up first: a binding remembers its peer's permission expiry, sparing the map)
    ChannelBinding binding = a.channelForPeer(peer, now);
    if (a.isClosed() || !(binding != null ? a.hasPermission(binding, now) : a.hasPermission(peer.getAddress(), now))) {
      metrics.droppedNoPermission.increment();
      return -1;
    }
    if (length > 0xFFFF - 36 || !a.toClient().tryConsume(length, now)) {
      metrics.droppedBandwidth.increment();
      return -1;
    }
    metrics.packetsToClient.increment();
    metrics.bytesToClient.add(length);
    // "If relaying is permitted, then the server checks if there is a channel bound to the peer that
    //  sent the UDP datagram. If a channel is bound, then processing proceeds as described in
    //  Section 12.7." (otherwise a Data indication)
    return binding != null ? binding.number() : 0;
  }

  // ---------------------------------------------------------------- authentication

  /** A request that passed the long-term credential check. */
  private record Auth(String username, byte[] key) {}

  /**
   * RFC 8489 §9.2.4 Receiving a Request (long-term credentials). Sends the error itself and
   * returns null when the request does not pass.
   */
  private Auth authenticate(ClientSink sink, FiveTuple ft, StunMessage req) {
    InetAddress ip = ft.client().getAddress();
    // "If the message does not contain a MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 attribute,
    //  the server MUST generate an error response with an error code of 401 (Unauthenticated).
    //  This response MUST include a REALM value ... The response MUST include a NONCE"
    if (!req.has(MessageIntegrity.class) && !req.has(MessageIntegritySha256.class)) {
      if (admitUnauthenticated(ft)) {
        sendError(sink, req, ErrorCode.UNAUTHENTICATED, null, new Realm(credentials.realm()),
            new Nonce(nonces.issue(ip)));
      }
      return null;
    }
    // "If the message contains a MESSAGE-INTEGRITY or a MESSAGE-INTEGRITY-SHA256 attribute, but is
    //  missing either the USERNAME or USERHASH, REALM, or NONCE attribute, the server MUST generate an
    //  error response with an error code of 400 (Bad Request)."
    Username username = req.get(Username.class);
    Realm realm = req.get(Realm.class);
    Nonce nonce = req.get(Nonce.class);
    if (username == null || realm == null || nonce == null) {
      if (admitUnauthenticated(ft)) {
        sendError(sink, req, ErrorCode.BAD_REQUEST, null);
      }
      return null;
    }
    // "If the value of the USERNAME or USERHASH attribute is not valid, the server MUST generate an
    //  error response with an error code of 401 (Unauthenticated). This response MUST include a REALM
    //  value. The response MUST include a NONCE"
    byte[] key = realm.value().equals(credentials.realm()) ? credentials.keyFor(username.value()) : null;
    // "compute the value for the message integrity ... If the resulting value does not match the
    //  contents of the corresponding attribute, the server MUST reject the request with an error
    //  response. This response MUST use an error code of 401 (Unauthenticated). It MUST include the
    //  REALM and NONCE attributes"
    if (key == null || StunIntegrity.check(req, key) != StunIntegrity.Result.VALID) {
      metrics.authFailures.increment();
      if (admitUnauthenticated(ft)) {
        sendError(sink, req, ErrorCode.UNAUTHENTICATED, null, new Realm(credentials.realm()),
            new Nonce(nonces.issue(ip)));
      }
      return null;
    }
    // "If the NONCE is no longer valid, the server MUST generate an error response with an error code
    //  of 438 (Stale Nonce). This response MUST include NONCE, REALM ... The NONCE attribute value
    //  MUST be valid." (A nonce we did not issue to this address is treated the same way.)
    if (nonces.check(nonce.value(), ip) != NonceService.Check.VALID) {
      metrics.staleNonces.increment();
      sendError(sink, req, ErrorCode.STALE_NONCE, null, new Realm(credentials.realm()), new Nonce(nonces.issue(ip)));
      return null;
    }
    return new Auth(username.value(), key);
  }

  /**
   * RFC 8656 §5: a request other than Allocate needs an allocation on this 5-tuple (else 437),
   * made with the same USERNAME (else 441 Wrong Credentials).
   */
  private Allocation allocationFor(ClientSink sink, FiveTuple ft, StunMessage req, Auth auth) {
    Allocation a = allocations.get(ft);
    if (a == null || a.relay() == null || a.isExpired(clock.millis())) {
      sendError(sink, req, ErrorCode.ALLOCATION_MISMATCH, auth.key());
      return null;
    }
    if (!a.username().equals(auth.username())) {
      sendError(sink, req, ErrorCode.WRONG_CREDENTIALS, null);
      return null;
    }
    return a;
  }

  /** The unauthenticated-request rate limit; counts and drops over the limit. */
  private boolean admitUnauthenticated(FiveTuple ft) {
    if (unauthLimiter.tryAcquire(ft.client().getAddress())) {
      return true;
    }
    metrics.droppedRateLimited.increment();
    return false;
  }

  private static int familyOf(InetAddress a) {
    return a instanceof Inet4Address ? 0x01 : 0x02;
  }

  // ---------------------------------------------------------------- responses

  private byte[] success(StunMessage req, byte[] key, StunAttribute... attrs) {
    StunMessage.Builder b = req.responseBuilder(StunClass.SUCCESS_RESPONSE);
    for (StunAttribute a : attrs) {
      b.add(a);
    }
    return finish(b, req, key);
  }

  private void sendSuccess(ClientSink sink, StunMessage req, byte[] key, StunAttribute... attrs) {
    sink.send(Unpooled.wrappedBuffer(success(req, key, attrs)));
  }

  /**
   * Error responses carry only what the RFC requires, so an unauthenticated request never
   * yields a response much larger than itself (no SOFTWARE, no reason phrase padding games).
   */
  private void sendError(ClientSink sink, StunMessage req, int code, byte[] key, StunAttribute... attrs) {
    StunMessage.Builder b = req.responseBuilder(StunClass.ERROR_RESPONSE).add(ErrorCode.of(code));
    for (StunAttribute a : attrs) {
      b.add(a);
    }
    sink.send(Unpooled.wrappedBuffer(finish(b, req, key)));
  }

  private static byte[] finish(StunMessage.Builder b, StunMessage req, byte[] key) {
    if (key != null) {
      b.integrity(key);
    }
    if (req.has(Fingerprint.class)) {
      b.fingerprint();
    }
    return b.encode();
  }
}
