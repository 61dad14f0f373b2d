package io.ssegateway.host.sse;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed {@code application/x-www-form-urlencoded} query string: {@code +} and {@code %XX} decoded as UTF-8. */
public final class QueryString {

    private final String raw;
    private final Map<String, List<String>> parameters = new LinkedHashMap<>();

    public QueryString(String raw) {
        this.raw = raw == null ? "" : raw;
        for (String pair : this.raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            parameters.computeIfAbsent(name, key -> new ArrayList<>(1)).add(value);
        }
    }

    public String raw() {
        return raw;
    }

    /** The first value of a parameter. */
    public Optional<String> first(String name) {
        List<String> values = parameters.get(name);
        return values == null ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * A whole-number parameter from 0 to {@code max}; {@code defaultValue} if absent or empty.
     *
     * @throws IllegalArgumentException naming the parameter, for a value that is not a number or out of range
     */
    public int intParam(String name, int defaultValue, int max) {
        Optional<String> raw = first(name);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number");
        }
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " must be between 0 and " + max);
        }
        return value;
    }

    /** Decodes {@code %XX} and {@code +}; a malformed escape is kept as written rather than refused. */
    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }
}
