package io.ssegateway.plugin.jwt;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A claim named by a dotted path into the token's claims: {@code channels}, or {@code sse.channels} for the member
 * {@code channels} of the object claim {@code sse}. A name holding a dot at the top level (a namespaced claim such as
 * {@code https://example.com/channels}) is found whole first.
 */
record ClaimPath(String path, List<String> parts) {

    private static final Pattern VALID = Pattern.compile("[^\\s{}]+");

    static ClaimPath of(String path, String key) {
        String trimmed = path == null ? "" : path.trim();
        if (!VALID.matcher(trimmed).matches() || trimmed.startsWith(".") || trimmed.endsWith(".") || trimmed.contains("..")) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + path + "' is not a claim name "
                    + "(a name, or a dotted path such as sse.channels)");
        }
        return new ClaimPath(trimmed, List.of(trimmed.split("\\.")));
    }

    /** The claim's value, or {@code null} if a part of the path is missing or not an object. */
    Object find(Map<String, Object> claims) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object current = claims;
        for (String part : parts) {
            if (!(current instanceof Map<?, ?> object)) {
                return null;
            }
            current = object.get(part);
        }
        return current;
    }

    @Override
    public String toString() {
        return path;
    }
}
