package io.ssegateway.host.admin;

import io.ssegateway.kit.QueryParams;

/**
 * Which connections a stats answer lists: {@code limit}, {@code offset} and an optional {@code channel} filter, read
 * from the query of {@code /api/stats} and of the dashboard's stats stream.
 */
record ConnectionPage(int limit, int offset, String channel) {

    /**
     * @param rawQuery the request's query string, still percent-encoded
     * @throws IllegalArgumentException a malformed query, or a parameter that is not a whole number in range (named)
     */
    static ConnectionPage from(String rawQuery, int defaultLimit, int maxLimit) {
        QueryParams query = QueryParams.parse(rawQuery);
        return new ConnectionPage(intParam(query, "limit", defaultLimit, maxLimit),
                intParam(query, "offset", 0, Integer.MAX_VALUE),
                query.first("channel").filter(channel -> !channel.isEmpty()).orElse(null));
    }

    /** A whole-number parameter from 0 to {@code max}; {@code defaultValue} if absent or empty. */
    private static int intParam(QueryParams query, String name, int defaultValue, int max) {
        String raw = query.first(name).orElse("");
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number");
        }
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " must be between 0 and " + max);
        }
        return value;
    }
}
