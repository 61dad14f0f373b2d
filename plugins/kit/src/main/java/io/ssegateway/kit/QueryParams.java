package io.ssegateway.kit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed query string ({@code application/x-www-form-urlencoded}). Decoding is strict ({@link PercentDecoder}): a
 * malformed query is refused as a whole rather than half-understood. Of a name given several times, the first value
 * counts for {@link #first}; {@link #all} gives every value.
 */
public final class QueryParams {

    private static final QueryParams EMPTY = new QueryParams(Map.of());

    private final Map<String, List<String>> values;

    private QueryParams(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * Parses the raw (still percent-encoded) query of a request URI, without the {@code ?}; {@code null} or empty is
     * no parameters. {@code a&b=} gives {@code a} and {@code b} an empty value; empty pairs ({@code &&}) are skipped.
     *
     * @throws IllegalArgumentException a malformed escape, or escaped bytes that are not UTF-8 (the message says which)
     */
    public static QueryParams parse(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return EMPTY;
        }
        Map<String, List<String>> values = new HashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            values.computeIfAbsent(name, key -> new ArrayList<>(1)).add(value);
        }
        values.replaceAll((name, list) -> List.copyOf(list));
        return new QueryParams(Collections.unmodifiableMap(values));
    }

    private static String decode(String component) {
        try {
            return PercentDecoder.decodeQueryComponent(component);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the query string is " + e.getMessage(), e);
        }
    }

    /** The (first) value of {@code name}, if it is present. */
    public Optional<String> first(String name) {
        List<String> given = values.get(name);
        return given == null ? Optional.empty() : Optional.of(given.get(0));
    }

    /** Every value of {@code name}, in the order given; empty if it is absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }
}
