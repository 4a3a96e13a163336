package com.parchchat.sfu.ice;

import com.parchchat.protocol.stun.StunMessage;
import com.parchchat.protocol.stun.StunParseException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one UDP socket that carries every session's media. Each datagram is classified by its first
 * byte (RFC 7983 §7: 0–3 STUN, 20–63 DTLS, 128–191 RTP/RTCP, anything else dropped). STUN is routed
 * to a session by the local ufrag in USERNAME; everything else only from addresses that passed an
 * ICE check for that session. One event-loop thread (the media thread) reads the socket and runs
 * STUN, RTCP, decryption and the timers. The per-receiver half of forwarding (rewrite, encrypt,
 * {@code sendmmsg}) runs on a {@link Lane}: the media thread's own lane, or with {@code sendThreads
 * = N > 0} one of N send threads, each with its own Netty channel on the same socket (the same file descriptor, registered without read interest, so
 * only the media thread reads). A receiver is owned by one lane: its send-side SRTP contexts and
 * down tracks are touched only there, and one packet's copies leave from all lanes in parallel.
 */
public final class MediaServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MediaServer.class);
  /** Most remote addresses one session may validate (host, reflexive, relayed, after network changes). */
  public static final int MAX_ADDRESSES_PER_SESSION = 8;

  /** Native epoll gives recvmmsg/sendmmsg: the per-subscriber copies of one packet leave in one syscall. */
  private static final boolean EPOLL = Epoll.isAvailable();

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
      EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  /** Send threads (null when the media thread sends itself). */
  private final EventLoopGroup sendGroup;
  private final int sendThreads;
  private final Lane mainLane = new Lane();
  private final Lane[] sendLanes;
  private final AtomicLong nextLane = new AtomicLong();
  /** Most bytes queued for the socket before further copies are dropped (about 100 ms at 100k pkt/s). */
  static final int OUTBOUND_QUEUE_BYTES = 1 << 20;

  private final Map<String, MediaSession> byUfrag = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, MediaSession> byAddress = new ConcurrentHashMap<>();
  private final Map<MediaSession, List<InetSocketAddress>> addressesOf = new ConcurrentHashMap<>();
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong received = new AtomicLong();
  private final LongAdder sent = new LongAdder();
  private final LatencyHistogram forwardLatency = new LatencyHistogram();
  /** Per forwarded RTP packet: from the start of its own processing to its last copies' sendmmsg. */
  private final LatencyHistogram fanOut = new LatencyHistogram();
  /**
   * Read time of the first RTP packet of the current read batch (one {@code recvmmsg}), 0 when none
   * (media thread only). A later packet of the same batch was in the socket at that time too, so its
   * forwarding latency counts from there.
   */
  private long batchStartNanos;
  /**
   * Media thread: RTP/RTCP datagrams are copied here, not into a fresh array each. Consumers use
   * it only during the call (SRTP decrypts in place, forwarding copies out, the NACK cache copies).
   */
  private final byte[] readBuffer = new byte[READ_BUFFER_BYTES];
  private Channel channel;

  /** Everything on the media thread (the previous single-threaded design). */
  public MediaServer() {
    this(0);
  }

  /**
   * @param sendThreads 0: the media thread encrypts and sends every copy itself; N &gt; 0: the media
   *     thread and N send threads share the receivers (needs the native epoll transport, else 0 is
   *     used)
   */
  public MediaServer(int sendThreads) {
    if (sendThreads < 0) {
      throw new IllegalArgumentException("sendThreads must be >= 0");
    }
    this.sendThreads = EPOLL ? sendThreads : 0;
    this.sendGroup = this.sendThreads == 0 ? null
        : new MultiThreadIoEventLoopGroup(this.sendThreads, EpollIoHandler.newFactory());
    this.sendLanes = new Lane[this.sendThreads];
  }

  /** Largest datagram read (the epoll transport's recvmmsg slot size). */
  private static final int READ_BUFFER_BYTES = 2048;
  /**
   * Copies handed to the kernel per {@code sendmmsg} while one packet fans out: a receiver's copy
   * waits for the encryption of at most this many others, not of the whole room.
   */
  static final int FLUSH_EVERY = 8;

  /** Binds the socket; returns the bound address. */
  public InetSocketAddress start(String host, int port) throws InterruptedException {
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class)
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .option(ChannelOption.SO_SNDBUF, 4 << 20)
        // media is real time: when the socket stops taking packets (receivers not reading), drop
        // beyond this queue rather than let copies pile up in the heap with ever-growing latency
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(OUTBOUND_QUEUE_BYTES / 2,
            OUTBOUND_QUEUE_BYTES))
        .handler(new Handler());
    if (EPOLL) {
      // read up to 16 datagrams per syscall (recvmmsg)
      b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, READ_BUFFER_BYTES);
    }
    channel = b.bind(host, port).sync().channel();
    mainLane.channel = channel;
    for (int i = 0; i < sendThreads; i++) {
      // a second channel object on the same socket: writes only (no read interest), so it can
      // sendmmsg from its own thread while the media thread keeps reading
      EpollDatagramChannel ch = new EpollDatagramChannel(((EpollDatagramChannel) channel).fd().intValue());
      ch.config().setAutoRead(false);
      ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(OUTBOUND_QUEUE_BYTES / 2, OUTBOUND_QUEUE_BYTES));
      sendGroup.next().register(ch).sync();
      Lane lane = new Lane();
      lane.channel = ch;
      sendLanes[i] = lane;
    }
    log.info("media socket on {} ({}, {})", channel.localAddress(), EPOLL ? "epoll" : "nio",
        sendThreads == 0 ? "sends on the media thread" : sendThreads + " send threads");
    return (InetSocketAddress) channel.localAddress();
  }

  public void register(MediaSession s) {
    byUfrag.put(s.ice().credentials().ufrag(), s);
  }

  public void unregister(MediaSession s) {
    byUfrag.remove(s.ice().credentials().ufrag(), s);
    List<InetSocketAddress> addrs = addressesOf.remove(s);
    if (addrs != null) {
      synchronized (addrs) {
        for (InetSocketAddress a : addrs) {
          byAddress.remove(a, s);
        }
      }
    }
  }

  /** Queues a copy of the datagram on the media thread's lane (see {@link Lane#write}). */
  public void write(byte[] data, int off, int len, InetSocketAddress to) {
    mainLane.write(data, off, len, to);
  }

  public void send(byte[] data, InetSocketAddress to) {
    mainLane.write(data, 0, data.length, to);
    mainLane.flush();
  }

  public void flush() {
    mainLane.flush();
  }

  /** Whether receivers' copies are sent by send threads (not by the media thread). */
  public boolean sharded() {
    return sendThreads > 0;
  }

  public int sendThreads() {
    return sendThreads;
  }

  /** The media thread's own lane. */
  public Lane mainLane() {
    return mainLane;
  }

  /** Send thread {@code i}'s lane ({@code 0 <= i < sendThreads()}). */
  public Lane lane(int i) {
    return sendLanes[i];
  }

  /**
   * The lane a new receiver is given: round robin over the media thread's own lane and the send
   * threads' (the media thread keeps a share of the fan-out, so a packet wakes only the others).
   */
  public Lane nextLane() {
    int i = (int) (nextLane.getAndIncrement() % (sendThreads + 1));
    return i == 0 ? mainLane : sendLanes[i - 1];
  }

  /**
   * Media thread, while an RTP packet is processed: when its datagram (or the first of its read
   * batch, which was in the socket as long) was read.
   */
  public long readStartNanos() {
    return batchStartNanos;
  }

  /** Runs {@code task} on the media thread. */
  public void execute(Runnable task) {
    group.next().execute(task);
  }

  public ScheduledFuture<?> every(long millis, Runnable task) {
    return group.next().scheduleAtFixedRate(task, millis, millis, TimeUnit.MILLISECONDS);
  }

  public long receivedDatagrams() {
    return received.get();
  }

  public long sentDatagrams() {
    return sent.sum();
  }

  public LatencyHistogram forwardLatency() {
    return forwardLatency;
  }

  /** Time one RTP packet's own processing takes (decrypt, fan-out, encryptions, sendmmsg). */
  public LatencyHistogram fanOut() {
    return fanOut;
  }

  public long droppedDatagrams() {
    return dropped.sum();
  }

  @Override
  public void close() {
    for (Lane lane : sendLanes) {
      if (lane != null) {
        // the send channels share the media channel's descriptor: deregister, never close them
        lane.channel.deregister().syncUninterruptibly();
      }
    }
    if (sendGroup != null) {
      sendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /**
   * One thread's way out: a channel on the media socket and its event loop. Receivers owned by a
   * lane have their copies encrypted and written on its thread.
   */
  public final class Lane {
    private Channel channel;
    /** This lane's thread: copies written since the last flush. */
    private int unflushed;

    /**
     * Queues a copy of the datagram (the caller may reuse {@code data} right away); call
     * {@link #flush()} to push it out. The copy goes into a pooled direct buffer, which the native
     * transport needs anyway: no garbage per packet. On the lane's thread, every
     * {@link #FLUSH_EVERY} copies go out in one {@code sendmmsg}.
     */
    public void write(byte[] data, int off, int len, InetSocketAddress to) {
      Channel ch = channel;
      if (ch == null) {
        return;
      }
      if (!ch.isWritable()) {
        dropped.increment();
        return;
      }
      sent.increment();
      ByteBuf buf = ch.alloc().directBuffer(len);
      buf.writeBytes(data, off, len);
      if (ch.eventLoop().inEventLoop()) {
        ch.write(new DatagramPacket(buf, to), ch.voidPromise());
        if (++unflushed >= FLUSH_EVERY) {
          unflushed = 0;
          ch.flush();
        }
      } else {
        ch.writeAndFlush(new DatagramPacket(buf, to), ch.voidPromise());
      }
    }

    public void flush() {
      Channel ch = channel;
      if (ch != null) {
        if (ch.eventLoop().inEventLoop()) {
          unflushed = 0;
        }
        ch.flush();
      }
    }

    /** Runs {@code task} on this lane's thread (queued, also when called from it). */
    public void execute(Runnable task) {
      Channel ch = channel;
      if (ch != null) {
        ch.eventLoop().execute(task);
      }
    }

    /** Runs {@code task} now when on this lane's thread, else queues it there. */
    public void run(Runnable task) {
      Channel ch = channel;
      if (ch != null && ch.eventLoop().inEventLoop()) {
        task.run();
      } else {
        execute(task);
      }
    }

    /** Whether this lane is the media thread's own. */
    public boolean isMediaThread() {
      return this == mainLane;
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      received.incrementAndGet();
      ByteBuf content = packet.content();
      int len = content.readableBytes();
      if (len == 0) {
        dropped.increment();
        return;
      }
      InetSocketAddress from = packet.sender();
      int first = content.getUnsignedByte(content.readerIndex());
      if (first >= 128 && first <= 191 && len <= readBuffer.length) {
        onRtpOrRtcp(ctx, content, len, packet.sender());
        return;
      }
      // STUN and DTLS keep their own array (DTLS is handed to the handshake thread)
      byte[] data = new byte[len];
      content.getBytes(content.readerIndex(), data);
      if (first <= 3) {
        onStun(ctx, data, from);
      } else if (first >= 20 && first <= 63) {
        MediaSession s = byAddress.get(from);
        if (s == null) {
          dropped.increment();
          return;
        }
        s.onDtls(data);
      } else {
        dropped.increment();
      }
    }

    /** RTP or RTCP (RFC 7983 first byte 128–191) from a validated address, read into {@link #readBuffer}. */
    private void onRtpOrRtcp(ChannelHandlerContext ctx, ByteBuf content, int len, InetSocketAddress from) {
      MediaSession s = byAddress.get(from);
      if (s == null) {
        dropped.increment();
        return;
      }
      byte[] data = readBuffer;
      content.getBytes(content.readerIndex(), data, 0, len);
      // RFC 5761 §4: second byte 192–223 (PT 64–95 with marker) is RTCP
      int second = len > 1 ? data[1] & 0xFF : 0;
      if (second >= 192 && second <= 223) {
        s.onRtcp(data, len);
      } else {
        long start = System.nanoTime();
        if (batchStartNanos == 0) {
          batchStartNanos = start;
        }
        s.onRtp(data, len);
        if (sendThreads == 0) {
          // push this packet's last copies out now (one sendmmsg), not after the whole read batch:
          // with 50 receivers a batch of 16 packets is ~800 encryptions, which the first packet's
          // receivers would otherwise wait for
          mainLane.flush();
          long end = System.nanoTime();
          forwardLatency.record(end - batchStartNanos);
          fanOut.record(end - start);
        } // else every lane (this one included) records both when its share of the copies is out
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      mainLane.flush();
      batchStartNanos = 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.warn("media socket error: {}", cause.toString());
    }

    private void onStun(ChannelHandlerContext ctx, byte[] data, InetSocketAddress from) {
      StunMessage msg;
      try {
        msg = StunMessage.decode(data, 0, data.length);
      } catch (StunParseException e) {
        dropped.increment();
        return;
      }
      com.parchchat.protocol.stun.StunAttribute.Username user =
          msg.get(com.parchchat.protocol.stun.StunAttribute.Username.class);
      MediaSession s = null;
      if (user != null) {
        String u = user.value();
        int colon = u.indexOf(':');
        s = byUfrag.get(colon < 0 ? u : u.substring(0, colon));
      }
      if (s == null) {
        s = byAddress.get(from);
      }
      if (s == null) {
        dropped.increment();
        return;
      }
      IceLiteAgent.Outcome out = s.ice().onRequest(msg, from, System.nanoTime());
      if (out == null) {
        dropped.increment();
        return;
      }
      if (out.valid()) {
        remember(s, from);
        s.onValidAddress(from);
      }
      write(out.response(), 0, out.response().length, from);
    }

    private void remember(MediaSession s, InetSocketAddress from) {
      if (byAddress.get(from) == s) {
        return;
      }
      List<InetSocketAddress> list = addressesOf.computeIfAbsent(s, k -> new ArrayList<>());
      synchronized (list) {
        if (list.size() >= MAX_ADDRESSES_PER_SESSION) {
          byAddress.remove(list.remove(0), s);
        }
        list.add(from);
      }
      MediaSession previous = byAddress.put(from, s);
      if (previous != null && previous != s) {
        log.debug("address {} moved to another session", from);
      }
    }
  }
}
