package com.parchchat.turn.server;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle shared by the native readers ({@link NativeListenerReader}, {@link
 * NativeRelayReader}): a {@code dup} of a Netty datagram channel's descriptor (the channel keeps
 * auto-read off and still creates, binds, sends on and closes the socket), registered
 * level-triggered for EPOLLIN on the channel's own epoll event loop, and deregistered and closed
 * there when the channel closes.
 *
 * <p>Everything runs on that one loop, so the dup is never used after it was closed (its number
 * could already belong to another socket); being a descriptor of its own, Netty closing the
 * channel's descriptor cannot make this handle read a reused number. The socket's port is free
 * once both are closed.
 */
abstract class NativeDupHandle implements EpollIoHandle {
  private static final Logger log = LoggerFactory.getLogger(NativeDupHandle.class);

  private final FileDescriptor fd;
  /** The channel's event loop: the only thread that uses {@link #fd}. */
  final IoEventLoop loop;
  private IoRegistration registration;
  /** Between register() and its completion: the descriptor must stay open until epoll has it or refused it. */
  private boolean registering;
  private boolean closed;

  NativeDupHandle(int dupFd, IoEventLoop loop) {
    this.fd = new FileDescriptor(dupFd);
    this.loop = loop;
  }

  @Override
  public final FileDescriptor fd() {
    return fd;
  }

  /** Closed (or closing): nothing may touch the descriptor any more. */
  final boolean closed() {
    return closed;
  }

  /**
   * Registers this handle for EPOLLIN on {@link #loop} (on that loop) and ties its close to
   * {@code channel}'s. When epoll refuses it, {@code onRefused} runs, the dup is closed and
   * {@code channel} goes back to Netty's reads (auto-read on).
   */
  final void start(EpollDatagramChannel channel, Runnable onRefused) {
    registering = true;
    loop.register(this).addListener(f -> {
      registering = false;
      if (!f.isSuccess()) {
        log.warn("{}: native registration failed, Netty reads it: {}", this, f.cause());
        onRefused.run();
        closed = false;
        close();
        if (channel.isOpen()) {
          channel.config().setAutoRead(true);
        }
        return;
      }
      registration = (IoRegistration) f.getNow();
      if (closed) { // the channel closed while registering: deregister first, then close the descriptor
        closed = false;
        close();
        return;
      }
      registration.submit(EpollIoOps.EPOLLIN); // level-triggered: a datagram left unread wakes the loop again
    });
    channel.closeFuture().addListener(f -> closeOnLoop());
  }

  private void closeOnLoop() {
    if (loop.inEventLoop()) {
      close();
    } else {
      try {
        loop.execute(this::close);
      } catch (RejectedExecutionException e) {
        log.debug("{}: loop gone, closing here", this);
        close();
      }
    }
  }

  /** Deregisters from epoll, then closes the dup (idempotent; on the event loop). */
  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (registering) { // the registration listener closes the descriptor once epoll is done with it
      return;
    }
    if (registration != null) {
      registration.cancel();
      registration = null;
    }
    try {
      fd.close();
    } catch (IOException e) {
      log.debug("{}: close: {}", this, e.toString());
    }
  }
}
