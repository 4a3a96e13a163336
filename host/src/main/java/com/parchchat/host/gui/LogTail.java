package com.parchchat.host.gui;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Keeps the last lines logged by the host, for the status window. Thread-safe. */
public final class LogTail extends AppenderBase<ILoggingEvent> {
  private final int capacity;
  private final Deque<String> lines = new ArrayDeque<>();

  public LogTail(int capacity) {
    this.capacity = capacity;
  }

  /** Attaches a new tail to the root logger and starts it. */
  public static LogTail install(int capacity) {
    LogTail tail = new LogTail(capacity);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    tail.setContext(ctx);
    tail.setName("status-window-tail");
    tail.start();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(tail);
    return tail;
  }

  @Override
  protected void append(ILoggingEvent e) {
    String line = Instant.ofEpochMilli(e.getTimeStamp()) + " " + e.getLevel() + " "
        + shortName(e.getLoggerName()) + " - " + e.getFormattedMessage();
    synchronized (lines) {
      lines.addLast(line);
      while (lines.size() > capacity) {
        lines.removeFirst();
      }
    }
  }

  private static String shortName(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  public List<String> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  /** Detaches from the root logger. */
  public void uninstall() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(this);
    stop();
  }
}
