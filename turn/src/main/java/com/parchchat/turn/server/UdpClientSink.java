package com.parchchat.turn.server;

import com.parchchat.turn.allocation.ClientSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * A client reached through a UDP listener socket. Responses are flushed at once; relayed data
 * is queued and flushed once per event-loop iteration by the listener's {@link Flusher}, so
 * datagrams from many relay sockets to many clients leave in one {@code sendmmsg} call.
 */
final class UdpClientSink implements ClientSink {
  private final Channel listener;
  private final InetSocketAddress client;
  private final Flusher flusher;
  private final NativeClientBatch nativeBatch;

  UdpClientSink(Channel listener, InetSocketAddress client, Flusher flusher, NativeClientBatch nativeBatch) {
    this.listener = listener;
    this.client = client;
    this.flusher = flusher;
    this.nativeBatch = nativeBatch;
  }

  /** The listener's native send batch when the native data path is on, else null. */
  NativeClientBatch nativeBatch() {
    return nativeBatch;
  }

  @Override
  public void send(ByteBuf buf) {
    listener.writeAndFlush(new DatagramPacket(buf, client), listener.voidPromise());
  }

  @Override
  public void sendData(ByteBuf buf) {
    listener.write(new DatagramPacket(buf, client), listener.voidPromise());
    flusher.requestFlush();
  }

  @Override
  public boolean isStream() {
    return false;
  }

  @Override
  public EventLoop eventLoop() {
    return listener.eventLoop();
  }

  /**
   * One per listener socket; used only on that socket's event loop. The flush task runs after
   * the loop has processed the current batch of ready sockets.
   */
  static final class Flusher implements Runnable {
    private final Channel listener;
    private boolean scheduled;

    Flusher(Channel listener) {
      this.listener = listener;
    }

    void requestFlush() {
      if (!scheduled) {
        scheduled = true;
        listener.eventLoop().execute(this);
      }
    }

    @Override
    public void run() {
      scheduled = false;
      listener.flush();
    }
  }
}
