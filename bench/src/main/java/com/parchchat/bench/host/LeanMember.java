package com.parchchat.bench.host;

import com.parchchat.protocol.api.HostReply;
import com.parchchat.protocol.api.HostRequest;
import com.parchchat.protocol.signal.ClientToRelay;
import com.parchchat.protocol.signal.RelayToClient;
import com.parchchat.protocol.signal.SignalCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lean relay client for the chat benchmark. It speaks the real protocol — the RFC 6455
 * opening handshake (HTTP/1.1 Upgrade, {@code Sec-WebSocket-Accept} checked), masked client
 * frames, hello → welcome, attach → host.status, requests → replies decoded with the full
 * {@link SignalCodec} — but reads the server's frames (RFC 6455 §5.2: never masked) straight out of
 * the socket's read buffers into one reusable array per connection: no HTTP codec, no frame
 * objects, no per-frame allocation. A {@code message.created} event is recognised by its first
 * bytes, and only two numbers are taken from it: the sender's {@code t=<nanoTime>} in the content
 * and the host's {@code publishedAtMicros}. Every other frame is decoded in full.
 *
 * <p>The members are the benchmark's heaviest part (100 connections, one delivery each per
 * message), so what they cost per delivery is CPU the relay and host under test do not get on a
 * small machine; this reader keeps that cost to the socket read itself.
 */
final class LeanMember {
  /** What a member does with one benchmark message: sender nanoTime, host publish micros (or -1). */
  interface Sink {
    void received(long sentNanos, long publishedMicros, long receivedNanos, long receivedMicros);
  }

  private static final SignalCodec CODEC = SignalCodec.withDefaults();
  private static final byte[] EVENT_PREFIX = ascii("{\"type\":\"event\"");
  private static final byte[] CONTENT_MARK = ascii("\"content\":\"t=");
  private static final byte[] PUBLISHED_MARK = ascii("\"publishedAtMicros\":");
  private static final byte[] HEADER_END = ascii("\r\n\r\n");
  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_FRAME = 1 << 20;

  private final Map<String, CompletableFuture<HostReply>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> handshake = new CompletableFuture<>();
  private final CompletableFuture<Void> welcome = new CompletableFuture<>();
  private final CompletableFuture<Void> online = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong replies = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private volatile Sink sink;
  private Channel channel;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Opens the WebSocket on {@code group}, says hello with {@code token} and waits for the welcome. */
  static LeanMember connect(EventLoopGroup group, URI ws, String token) throws Exception {
    LeanMember m = new LeanMember();
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    Bootstrap b = new Bootstrap().group(group).channel(io.netty.channel.epoll.Epoll.isAvailable()
            ? io.netty.channel.epoll.EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(m.new Wire(ws, key));
    m.channel = b.connect(ws.getHost(), ws.getPort()).sync().channel();
    m.handshake.get(30, TimeUnit.SECONDS);
    m.send(new ClientToRelay.Hello(token, null));
    m.welcome.get(30, TimeUnit.SECONDS);
    return m;
  }

  /**
   * One event loop for members: native epoll when available (fewer syscalls and less garbage per
   * read than the JDK selector), NIO otherwise.
   */
  static EventLoopGroup newLoop() {
    return new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.epoll.Epoll.isAvailable()
        ? io.netty.channel.epoll.EpollIoHandler.newFactory() : io.netty.channel.nio.NioIoHandler.newFactory());
  }

  void sink(Sink s) {
    this.sink = s;
  }

  long replies() {
    return replies.get();
  }

  /** Events this member received that were benchmark messages (counted whether or not a sink is set). */
  long events() {
    return events.get();
  }

  /** Sends one frame as a masked text WebSocket frame (RFC 6455 §5.3). */
  void send(Object frame) {
    byte[] payload = CODEC.encodeUtf8(frame);
    int len = payload.length;
    ByteBuf out = channel.alloc().buffer(14 + len);
    out.writeByte(0x81);
    if (len < 126) {
      out.writeByte(0x80 | len);
    } else if (len < 65_536) {
      out.writeByte(0x80 | 126);
      out.writeShort(len);
    } else {
      out.writeByte(0x80 | 127);
      out.writeLong(len);
    }
    int mask = ThreadLocalRandom.current().nextInt();
    out.writeInt(mask);
    byte[] k = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
    for (int i = 0; i < len; i++) {
      payload[i] ^= k[i & 3];
    }
    out.writeBytes(payload);
    channel.writeAndFlush(out);
  }

  void attach(String host) throws Exception {
    send(new ClientToRelay.Attach(host, "a"));
    online.get(30, TimeUnit.SECONDS);
  }

  CompletableFuture<HostReply> request(String host, HostRequest r) {
    String id = Long.toString(ids.incrementAndGet());
    CompletableFuture<HostReply> f = new CompletableFuture<>();
    pending.put(id, f);
    send(new ClientToRelay.Request(host, id, CODEC.toBody(r)));
    return f;
  }

  /** Sends without keeping a future: only the count of replies is kept (the benchmark's sender). */
  void fire(String host, HostRequest r) {
    send(new ClientToRelay.Request(host, "f" + ids.incrementAndGet(), CODEC.toBody(r)));
  }

  HostReply call(String host, HostRequest r) throws Exception {
    HostReply reply = request(host, r).get(30, TimeUnit.SECONDS);
    if (reply instanceof HostReply.Error) {
      throw new IllegalStateException("host error: " + reply);
    }
    return reply;
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  /** Index of {@code mark} in {@code b[from, to)}, or -1. */
  static int indexOf(byte[] b, int from, int to, byte[] mark) {
    byte first = mark[0];
    int last = to - mark.length;
    outer:
    for (int i = from; i <= last; i++) {
      if (b[i] != first) {
        continue;
      }
      for (int j = 1; j < mark.length; j++) {
        if (b[i + j] != mark[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The decimal number right after {@code mark} in {@code b[from, to)}, or -1. */
  static long numberAfter(byte[] b, int from, int to, byte[] mark) {
    int at = indexOf(b, from, to, mark);
    if (at < 0) {
      return -1;
    }
    long v = 0;
    boolean any = false;
    for (int i = at + mark.length; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
      v = v * 10 + (b[i] - '0');
      any = true;
    }
    return any ? v : -1;
  }

  /**
   * The connection's only handler: writes the upgrade request, checks the 101 answer, then parses
   * server frames from a per-connection array (bytes of an incomplete frame stay at its start).
   */
  private final class Wire extends ChannelInboundHandlerAdapter {
    private final URI uri;
    private final String key;
    private byte[] buf = new byte[64 * 1024];
    private int len;
    private boolean upgraded;

    Wire(URI uri, String key) {
      this.uri = uri;
      this.key = key;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
          + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(request.getBytes(StandardCharsets.US_ASCII)));
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      ByteBuf in = (ByteBuf) msg;
      try {
        int n = in.readableBytes();
        if (len + n > buf.length) {
          buf = Arrays.copyOf(buf, Math.max(2 * buf.length, len + n));
        }
        in.readBytes(buf, len, n);
        len += n;
      } finally {
        in.release();
      }
      int at = 0;
      if (!upgraded) {
        int end = indexOf(buf, 0, len, HEADER_END);
        if (end < 0) {
          return;
        }
        checkUpgrade(new String(buf, 0, end, StandardCharsets.ISO_8859_1));
        upgraded = true;
        handshake.complete(null);
        at = end + HEADER_END.length;
      }
      long receivedNanos = 0;
      long receivedMicros = 0;
      while (len - at >= 2) {
        int b0 = buf[at] & 0xFF;
        int b1 = buf[at + 1] & 0x7F;
        int header = 2;
        long size = b1;
        if (b1 == 126) {
          if (len - at < 4) {
            break;
          }
          size = ((buf[at + 2] & 0xFF) << 8) | (buf[at + 3] & 0xFF);
          header = 4;
        } else if (b1 == 127) {
          if (len - at < 10) {
            break;
          }
          size = 0;
          for (int i = 2; i < 10; i++) {
            size = (size << 8) | (buf[at + i] & 0xFF);
          }
          header = 10;
        }
        if (size > MAX_FRAME || (b0 & 0x80) == 0 || (buf[at + 1] & 0x80) != 0) {
          throw new IllegalStateException("unexpected server frame: fin/mask/size " + b0 + "/" + buf[at + 1] + "/" + size);
        }
        if (len - at < header + size) {
          break;
        }
        int from = at + header;
        int to = from + (int) size;
        int opcode = b0 & 0x0F;
        if (opcode == 1) {
          if (receivedNanos == 0) {
            // everything in this read arrived together: one clock reading for all of it
            receivedNanos = System.nanoTime();
            receivedMicros = wallMicros();
          }
          text(from, to, receivedNanos, receivedMicros);
        } else if (opcode == 9) {
          pong(ctx, from, to);
        } else if (opcode == 8) {
          ctx.close();
        }
        at = to;
      }
      if (at > 0) {
        System.arraycopy(buf, at, buf, 0, len - at);
        len -= at;
      }
    }

    private void checkUpgrade(String head) throws NoSuchAlgorithmException {
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IllegalStateException("WebSocket upgrade refused: " + head.lines().findFirst().orElse(""));
      }
      String expected = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII)));
      boolean ok = head.lines().anyMatch(l -> l.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21)
          && l.substring(21).trim().equals(expected));
      if (!ok) {
        throw new IllegalStateException("bad Sec-WebSocket-Accept in: " + head);
      }
    }

    private void text(int from, int to, long receivedNanos, long receivedMicros) throws Exception {
      if (to - from > EVENT_PREFIX.length && indexOf(buf, from, from + EVENT_PREFIX.length, EVENT_PREFIX) == from) {
        long sent = numberAfter(buf, from, to, CONTENT_MARK);
        if (sent >= 0) {
          events.incrementAndGet();
          Sink s = sink;
          if (s != null) {
            s.received(sent, numberAfter(buf, from, to, PUBLISHED_MARK), receivedNanos, receivedMicros);
          }
          return;
        }
      }
      RelayToClient f = CODEC.decode(Arrays.copyOfRange(buf, from, to), RelayToClient.class);
      if (f instanceof RelayToClient.Welcome) {
        welcome.complete(null);
      } else if (f instanceof RelayToClient.HostStatus && ((RelayToClient.HostStatus) f).online()) {
        online.complete(null);
      } else if (f instanceof RelayToClient.Reply) {
        RelayToClient.Reply r = (RelayToClient.Reply) f;
        replies.incrementAndGet();
        CompletableFuture<HostReply> p = pending.remove(r.id());
        if (p != null) {
          p.complete(CODEC.fromBody(r.body(), HostReply.class));
        }
      } else if (f instanceof RelayToClient.Error) {
        RelayToClient.Error e = (RelayToClient.Error) f;
        CompletableFuture<HostReply> p = e.id() == null ? null : pending.remove(e.id());
        if (p != null) {
          p.complete(new HostReply.Error(e.code(), e.message()));
        }
      }
    }

    private void pong(ChannelHandlerContext ctx, int from, int to) {
      int size = to - from;
      ByteBuf out = ctx.alloc().buffer(6 + size);
      out.writeByte(0x8A).writeByte(0x80 | size).writeInt(0);
      out.writeBytes(buf, from, size); // mask key 0: payload unchanged
      ctx.writeAndFlush(out);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      welcome.completeExceptionally(cause);
      ctx.close();
    }
  }

  private static long wallMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
