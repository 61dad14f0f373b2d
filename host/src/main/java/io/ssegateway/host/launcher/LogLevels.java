package io.ssegateway.host.launcher;

import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.spi.PluginConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code gateway.log.level} ({@code GATEWAY_LOG_LEVEL}): log levels without editing {@code logging.properties}. A
 * comma-separated list of a level for the gateway as a whole ({@code FINE}: the root logger and {@code io.ssegateway})
 * and of {@code <logger>=<level>} entries ({@code io.ssegateway.plugin.redis=FINE}), applied on top of the logging
 * configuration as if they were its {@code <logger>.level} lines. Levels are java.util.logging's ({@code SEVERE},
 * {@code WARNING}, {@code INFO}, {@code CONFIG}, {@code FINE}, {@code FINER}, {@code FINEST}, {@code ALL},
 * {@code OFF}) or the usual {@code ERROR}, {@code WARN}, {@code DEBUG}, {@code TRACE}.
 */
final class LogLevels {

    static final String KEY = "level";

    private static final Map<String, String> ALIASES = Map.of(
            "ERROR", "SEVERE", "WARN", "WARNING", "DEBUG", "FINE", "TRACE", "FINEST");
    /** The loggers levels were set on: held, since java.util.logging forgets the level of a collected logger. */
    private static final List<Logger> CONFIGURED = new CopyOnWriteArrayList<>();

    private LogLevels() {
    }

    /**
     * Applies {@code gateway.log.level} of the {@code log} node ({@code gateway.log}), if set.
     *
     * @throws ConfigurationException an entry that is not a level or {@code logger=level} (naming the key)
     */
    static void apply(PluginConfig log) {
        List<String> entries = log.getList(KEY);
        if (entries.isEmpty()) {
            return;
        }
        Properties levels = new Properties();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals < 0) {
                String level = level(entry, log);
                levels.setProperty(".level", level);
                levels.setProperty("io.ssegateway.level", level);
            } else {
                String logger = entry.substring(0, equals).trim();
                if (logger.isEmpty()) {
                    throw new ConfigurationException("configuration key " + log.keyOf(KEY) + ": '" + entry
                            + "' names no logger (use <logger>=<level>, for example io.ssegateway.plugin.redis=FINE)");
                }
                levels.setProperty(logger + ".level", level(entry.substring(equals + 1), log));
            }
        }
        try {
            // merged into the current configuration: what it does not name stays as it is
            LogManager.getLogManager().updateConfiguration(asStream(levels),
                    key -> (current, update) -> update != null ? update : current);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a logger made before this (a class's static logger) finds a newly configured parent only once that exists
        for (String property : levels.stringPropertyNames()) {
            String logger = property.substring(0, property.length() - ".level".length());
            CONFIGURED.add(Logger.getLogger(logger));
        }
    }

    private static String level(String text, PluginConfig log) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        name = ALIASES.getOrDefault(name, name);
        try {
            return Level.parse(name).getName();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("configuration key " + log.keyOf(KEY) + ": '" + text.trim()
                    + "' is not a log level (SEVERE, WARNING, INFO, CONFIG, FINE, FINER, FINEST, ALL, OFF; also ERROR, "
                    + "WARN, DEBUG, TRACE)");
        }
    }

    private static ByteArrayInputStream asStream(Properties properties) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        properties.store(out, null);
        return new ByteArrayInputStream(out.toByteArray());
    }
}
