package io.ssegateway.host.launcher;

import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.spi.PluginConfig;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;

/**
 * {@code gateway.log.format} ({@code GATEWAY_LOG_FORMAT}): {@code text} (default, {@code logging.properties}' own
 * formatter) or {@code json} ({@link JsonLogFormatter} on every handler of the root logger). In JSON mode what the
 * launcher itself prints (a start-up failure) is a JSON line too, so that the output holds only JSON.
 */
final class LogFormat {

    static final String KEY = "format";
    /** The environment variable, read before the configuration is, for a configuration that cannot be read. */
    static final String VARIABLE = "GATEWAY_LOG_FORMAT";

    private static volatile boolean json = "json".equalsIgnoreCase(System.getenv(VARIABLE));

    private LogFormat() {
    }

    /**
     * Applies {@code gateway.log.format} of the {@code log} node.
     *
     * @throws ConfigurationException a value other than {@code text} or {@code json} (naming the key)
     */
    static void apply(PluginConfig log) {
        String format = log.get(KEY, "text").trim().toLowerCase(Locale.ROOT);
        switch (format) {
            case "text" -> json = false;
            case "json" -> {
                json = true;
                for (Handler handler : LogManager.getLogManager().getLogger("").getHandlers()) {
                    handler.setFormatter(new JsonLogFormatter());
                }
            }
            default -> throw new ConfigurationException("configuration key " + log.keyOf(KEY) + ": '" + format
                    + "' is not a log format (text or json)");
        }
    }

    /** Prints what the launcher has to say on standard error: a plain line, or a JSON line in JSON mode. */
    static void report(String message) {
        System.err.print(json ? JsonLogFormatter.line(Level.SEVERE, Main.class.getName(), message)
                : message + System.lineSeparator());
        System.err.flush();
    }
}
