package io.ssegateway.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The configuration node of one plugin, for example {@code gateway.source.redis}. The host backs it with
 * {@code conf/application.yaml} and environment variables; tests and embedders build one with {@link #of}.
 * <p>
 * Keys are relative to the node and may be dotted ({@code "pool.size"}). Every typed getter parses the raw
 * string the same way for every plugin, and every error is an {@link IllegalArgumentException} whose message
 * names the full key (for example {@code gateway.source.redis.timeout}) and the value it could not use.
 * Immutable and thread-safe.
 */
public interface PluginConfig {

    /** The full key of this node, for example {@code gateway.source.redis}; empty for the root. */
    String path();

    /** The raw value at {@code key}, if set (a list or a node with children is not a value). */
    Optional<String> get(String key);

    /** The child node at {@code key}; an empty node if there is none. */
    PluginConfig node(String key);

    /** The full key for {@code key}, as used in error messages. */
    default String keyOf(String key) {
        return path().isEmpty() ? key : path() + "." + key;
    }

    default String get(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /** The value at {@code key}; an {@link IllegalArgumentException} naming the key when it is missing or blank. */
    default String require(String key) {
        return get(key).filter(value -> !value.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("missing required configuration key " + keyOf(key)));
    }

    default int getInt(String key, int defaultValue) {
        long value = getLong(key, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("configuration key " + keyOf(key) + ": " + value + " is out of range");
        }
        return (int) value;
    }

    default long getLong(String key, long defaultValue) {
        Optional<String> raw = get(key).map(String::trim).filter(value -> !value.isEmpty());
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(raw.get().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key " + keyOf(key) + ": '" + raw.get() + "' is not a whole number");
        }
    }

    default boolean getBoolean(String key, boolean defaultValue) {
        Optional<String> raw = get(key).map(value -> value.trim().toLowerCase(Locale.ROOT)).filter(value -> !value.isEmpty());
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get()) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(
                    "configuration key " + keyOf(key) + ": '" + raw.get() + "' is not a boolean (true or false)");
        };
    }

    /** A duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, ISO-8601 ({@code PT30S}) or bare seconds. */
    default Duration getDuration(String key, Duration defaultValue) {
        Optional<String> raw = get(key).map(String::trim).filter(value -> !value.isEmpty());
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return parseDuration(raw.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration key " + keyOf(key) + ": " + e.getMessage());
        }
    }

    /**
     * A list: a YAML sequence, or one comma-separated value (the form an environment variable can carry).
     * Blank entries are dropped; an unset key is an empty list.
     */
    default List<String> getList(String key) {
        List<String> values = new ArrayList<>();
        Optional<String> single = get(key);
        if (single.isPresent()) {
            for (String part : single.get().split(",")) {
                if (!part.isBlank()) {
                    values.add(part.trim());
                }
            }
            return List.copyOf(values);
        }
        PluginConfig list = node(key);
        for (int i = 0; ; i++) {
            Optional<String> item = list.get(Integer.toString(i));
            if (item.isEmpty()) {
                break;
            }
            if (!item.get().isBlank()) {
                values.add(item.get().trim());
            }
        }
        return List.copyOf(values);
    }

    /**
     * Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, ISO-8601 ({@code PT30S}) or a bare
     * number of seconds. Negative durations are refused.
     */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        Duration result;
        try {
            if (value.startsWith("p") || value.startsWith("-p")) {
                result = Duration.parse(value.toUpperCase(Locale.ROOT));
            } else if (value.endsWith("ms")) {
                result = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
            } else if (value.endsWith("s")) {
                result = Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1).trim()));
            } else if (value.endsWith("m")) {
                result = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1).trim()));
            } else if (value.endsWith("h")) {
                result = Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1).trim()));
            } else if (value.endsWith("d")) {
                result = Duration.ofDays(Long.parseLong(value.substring(0, value.length() - 1).trim()));
            } else {
                result = Duration.ofSeconds(Long.parseLong(value));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (use 250ms, 30s, 5m, 1h, 2d or PT30S)");
        }
        if (result.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is negative");
        }
        return result;
    }

    /** A node with no values. */
    static PluginConfig empty(String path) {
        return of(path, Map.of());
    }

    /**
     * A node backed by flat keys relative to it, for tests and embedding:
     * {@code PluginConfig.of("gateway.storage.memory", Map.of("max-events", "50", "ttl", "10m"))}.
     * List items may be given as {@code key.0}, {@code key.1}, ... or as one comma-separated value.
     */
    static PluginConfig of(String path, Map<String, String> values) {
        return new MapPluginConfig(path, new TreeMap<>(values));
    }
}

/** The {@link PluginConfig#of} implementation: flat dotted keys, children are key prefixes. */
record MapPluginConfig(String path, TreeMap<String, String> values) implements PluginConfig {

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public PluginConfig node(String key) {
        String prefix = key + ".";
        TreeMap<String, String> child = new TreeMap<>();
        values.tailMap(prefix, true).forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                child.put(name.substring(prefix.length()), value);
            }
        });
        return new MapPluginConfig(keyOf(key), child);
    }
}
