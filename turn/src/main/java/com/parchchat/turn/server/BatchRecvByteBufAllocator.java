package com.parchchat.turn.server;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Receive buffers of one fixed size for {@code recvmmsg} batches on the UDP listener. Netty's
 * datagram read loop asks "maybe more data?" with a supplier that always says yes, so every
 * wake-up ends with one more read that only returns {@code EAGAIN}. This handle keeps reading
 * only while the previous batch came back full (every slot filled), up to the message limit;
 * with the socket level-triggered, whatever is left makes the next {@code epoll_wait} return
 * at once, so nothing is stranded.
 */
final class BatchRecvByteBufAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
  private final int bufferSize;

  BatchRecvByteBufAllocator(int bufferSize, int maxMessagesPerRead) {
    super(maxMessagesPerRead);
    this.bufferSize = bufferSize;
  }

  @Override
  public Handle newHandle() {
    return new MaxMessageHandle() {
      private final UncheckedBooleanSupplier lastBatchWasFull = () -> lastBytesRead() >= attemptedBytesRead();

      @Override
      public int guess() {
        return bufferSize;
      }

      @Override
      public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
        return super.continueReading(lastBatchWasFull);
      }
    };
  }
}
