package io.ssegateway.host.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what a JUL logger (and its children) logs during a test. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Starts capturing {@code logger}, at its configured level. */
    public static LogCapture of(Logger logger) {
        return new LogCapture(logger, null);
    }

    /** Starts capturing the logger named after {@code type}, at its configured level. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(Logger.getLogger(type.getName()), null);
    }

    /** Starts capturing the logger named after {@code type} down to {@code level} (restored on close). */
    public static LogCapture of(Class<?> type, Level level) {
        return new LogCapture(Logger.getLogger(type.getName()), level);
    }

    /** The records captured so far. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    public boolean contains(String fragment) {
        return messages().stream().anyMatch(message -> message.contains(fragment));
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
