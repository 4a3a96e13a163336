package com.parchchat.client.core;

/** Handle returned by every listen method; closing it removes the listener. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
