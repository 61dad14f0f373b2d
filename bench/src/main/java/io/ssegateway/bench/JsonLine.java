package io.ssegateway.bench;

import java.util.Locale;

/** Builds the one-line JSON result of a scenario (keys in insertion order; raw values are JSON already). */
final class JsonLine {

    private final StringBuilder out = new StringBuilder("{");

    JsonLine put(String key, String value) {
        return raw(key, value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    JsonLine put(String key, long value) {
        return raw(key, Long.toString(value));
    }

    JsonLine put(String key, double value) {
        return raw(key, String.format(Locale.ROOT, "%.2f", value));
    }

    JsonLine put(String key, boolean value) {
        return raw(key, Boolean.toString(value));
    }

    JsonLine raw(String key, String json) {
        if (out.length() > 1) {
            out.append(',');
        }
        out.append('"').append(key).append("\":").append(json);
        return this;
    }

    @Override
    public String toString() {
        return out + "}";
    }
}
