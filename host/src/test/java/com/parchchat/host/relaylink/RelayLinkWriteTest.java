package com.parchchat.host.relaylink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.parchchat.host.auth.HostIdentity;
import com.parchchat.protocol.signal.HostToRelay;
import com.parchchat.protocol.signal.RelayToHost;
import com.parchchat.protocol.signal.SignalCodec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The link's outbound path over a real loopback WebSocket: frames queued from several threads at
 * once (the store's completion thread, the dispatch thread, ...) are written by the link's event
 * loop in batches; none is lost, none is duplicated, and each thread's frames keep their order.
 * The far end is a small Netty WebSocket server playing the relay's part of the handshake
 * (challenge, then ready after the signed answer) and recording every frame it receives.
 */
class RelayLinkWriteTest {
  private static final SignalCodec CODEC = SignalCodec.withDefaults();

  private final EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final List<Channel> accepted = new CopyOnWriteArrayList<>();
  private RelayLink link;

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private int startServer() throws InterruptedException {
    Channel server = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accepted.add(ch);
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536),
                new WebSocketServerProtocolHandler("/ws/host"), new FakeRelay());
          }
        }).bind("127.0.0.1", 0).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Challenge on connect, ready after any answer (the signature itself is RelayLinkHandlerTest's), then records. */
  private final class FakeRelay extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        ctx.writeAndFlush(new TextWebSocketFrame(CODEC.encode(new RelayToHost.HostChallenge("n-" + accepted.size()))));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
      HostToRelay f = CODEC.decode(frame.text(), HostToRelay.class);
      if (f instanceof HostToRelay.HostAuth) {
        ctx.writeAndFlush(new TextWebSocketFrame(CODEC.encode(new RelayToHost.HostReady("h_test"))));
      } else if (f instanceof HostToRelay.Send) {
        received.add(((HostToRelay.Send) f).session());
      }
    }
  }

  private RelayLink connect(int port, CountDownLatch ready) {
    RelayLink l = new RelayLink(URI.create("ws://127.0.0.1:" + port + "/ws/host"), "h_test", HostIdentity.generate(),
        CODEC, new Backoff(50, 200), new RelayListener() {
          @Override
          public void onReady(String hostId) {
            ready.countDown();
          }

          @Override
          public void onFrame(RelayToHost frame) {
          }

          @Override
          public void onDisconnected() {
          }
        });
    l.start();
    return l;
  }

  private static HostToRelay.Send frame(int thread, int n) {
    return new HostToRelay.Send(thread + ":" + n, CODEC.toBody(Map.of("type", "x")));
  }

  @Test
  void framesFromManyThreadsAllArriveInEachThreadsOrder() throws Exception {
    int port = startServer();
    CountDownLatch ready = new CountDownLatch(1);
    link = connect(port, ready);
    assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();

    int threads = 4;
    int perThread = 2_000;
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        for (int n = 0; n < perThread; n++) {
          assertThat(link.send(frame(id, n))).isTrue();
        }
      });
      senders.add(th);
      th.start();
    }
    for (Thread th : senders) {
      th.join(30_000);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= threads * perThread);
    assertThat(received).hasSize(threads * perThread).doesNotHaveDuplicates();
    Map<Integer, Integer> next = new HashMap<>();
    for (String s : received) {
      int thread = Integer.parseInt(s.substring(0, s.indexOf(':')));
      int n = Integer.parseInt(s.substring(s.indexOf(':') + 1));
      assertThat(n).as("frame order of thread %d", thread).isEqualTo(next.getOrDefault(thread, 0));
      next.put(thread, n + 1);
    }
  }

  @Test
  void afterTheRelayDropsTheLinkTheNextConnectionCarriesFramesAgain() throws Exception {
    int port = startServer();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch second = new CountDownLatch(2);
    link = new RelayLink(URI.create("ws://127.0.0.1:" + port + "/ws/host"), "h_test", HostIdentity.generate(),
        CODEC, new Backoff(50, 200), new RelayListener() {
          @Override
          public void onReady(String hostId) {
            first.countDown();
            second.countDown();
          }

          @Override
          public void onFrame(RelayToHost frame) {
          }

          @Override
          public void onDisconnected() {
          }
        });
    link.start();
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(link.send(frame(0, 0))).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

    accepted.get(0).close().sync();
    assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> link.send(frame(0, 1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("0:1"));
    assertThat(received).startsWith("0:0");
  }
}
