package com.parchchat.client.core;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A thread-safe observable slot holding an immutable snapshot. Listeners run on the thread that
 * changed the value (a network thread in practice); the UI hops to the FX thread itself. Keeping
 * this free of JavaFX lets tests and bots use the model headless.
 */
public final class Value<T> {
  private volatile T value;
  private final CopyOnWriteArrayList<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();

  public Value(T initial) {
    this.value = initial;
  }

  public T get() {
    return value;
  }

  /** Sets the value and notifies listeners if it changed (by {@code equals}). */
  public void set(T next) {
    T old;
    synchronized (this) {
      old = value;
      value = next;
    }
    if (!Objects.equals(old, next)) {
      fire(next);
    }
  }

  /** Atomically replaces the value with {@code f(old)}. */
  public void update(UnaryOperator<T> f) {
    T old;
    T next;
    synchronized (this) {
      old = value;
      next = f.apply(old);
      value = next;
    }
    if (!Objects.equals(old, next)) {
      fire(next);
    }
  }

  /** Adds a listener; it is not called with the current value. Close the handle to remove it. */
  public Subscription listen(Consumer<? super T> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void fire(T v) {
    for (Consumer<? super T> l : listeners) {
      l.accept(v);
    }
  }

  @Override
  public String toString() {
    return "Value[" + value + "]";
  }
}
