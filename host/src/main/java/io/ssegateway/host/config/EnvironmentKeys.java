package io.ssegateway.host.config;

import io.ssegateway.host.core.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables that set configuration keys, found by the form every spelling of a key shares: upper case,
 * dots and dashes as underscores. So {@code GATEWAY_HEARTBEAT_INTERVAL} (what operators type), Helidon's
 * {@code GATEWAY_HEARTBEAT_dash_INTERVAL} and a variable literally named {@code gateway.heartbeat-interval} all set
 * {@code gateway.heartbeat-interval}. A list is one comma-separated variable ({@code GATEWAY_LISTENERS=a,b}) or
 * indexed ones ({@code GATEWAY_LISTENERS_0=a}).
 * <p>
 * Keys are matched when they are read, so plugin keys need no declaration: a variable sets whatever key of that spelling
 * the host or a plugin reads. What was read is recorded, so that a {@code GATEWAY_} variable that no key matched can
 * be reported as a likely typo. Only variables under {@code GATEWAY_} and {@code SERVER_} are considered. Thread-safe.
 */
final class EnvironmentKeys {

    private static final List<String> PREFIXES = List.of("GATEWAY_", "SERVER_");
    private static final Pattern ITEM = Pattern.compile("_(\\d{1,4})$");

    /** A variable as the environment holds it. */
    record Variable(String name, String value) {
    }

    /** Normalized name → variable. */
    private final Map<String, Variable> byKey = new TreeMap<>();
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    /**
     * @throws ConfigurationException two spellings of one key with different values
     *                                ({@code GATEWAY_RETRY_AFTER} and {@code GATEWAY_RETRY_dash_AFTER})
     */
    EnvironmentKeys(Map<String, String> environment) {
        environment.forEach((name, value) -> {
            String key = normalize(name);
            if (value == null || PREFIXES.stream().noneMatch(key::startsWith)) {
                return;
            }
            Variable previous = byKey.putIfAbsent(key, new Variable(name, value));
            if (previous != null && !previous.value().equals(value)) {
                throw new ConfigurationException("The environment variables " + previous.name() + " and " + name
                        + " set the same key with different values; keep one of them");
            }
        });
    }

    /** The one spelling every form of {@code keyOrVariable} shares: {@code GATEWAY_HEARTBEAT_INTERVAL}. */
    static String normalize(String keyOrVariable) {
        return keyOrVariable.toUpperCase(Locale.ROOT).replace("_DASH_", "_").replace('.', '_').replace('-', '_');
    }

    /** The variable setting {@code key} (a full key such as {@code gateway.retry}), if any. */
    Optional<String> value(String key) {
        Variable variable = byKey.get(normalize(key));
        if (variable == null) {
            return Optional.empty();
        }
        used.add(variable.name());
        return Optional.of(variable.value());
    }

    /** The indexed items of the list {@code key} ({@code GATEWAY_LISTENERS_0}, {@code _1}, …) in index order. */
    List<String> items(String key) {
        String prefix = normalize(key);
        TreeMap<Integer, Variable> items = new TreeMap<>();
        byKey.forEach((name, variable) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                Matcher item = ITEM.matcher(name.substring(prefix.length()));
                if (item.matches()) {
                    items.put(Integer.parseInt(item.group(1)), variable);
                }
            }
        });
        List<String> values = new ArrayList<>(items.size());
        items.values().forEach(variable -> {
            used.add(variable.name());
            values.add(variable.value());
        });
        return values;
    }

    /** The {@code GATEWAY_} variables no key read so far matched, by name. */
    Set<String> unused() {
        Set<String> unused = new TreeSet<>();
        byKey.forEach((key, variable) -> {
            if (key.startsWith("GATEWAY_") && !used.contains(variable.name())) {
                unused.add(variable.name());
            }
        });
        return unused;
    }
}
