package io.ssegateway.host.admin;

import io.ssegateway.host.sse.QueryString;

/**
 * Which connections a stats answer lists: {@code limit}, {@code offset} and an optional {@code channel} filter, read
 * from the query of {@code /api/stats} and of the dashboard's stats stream.
 */
record ConnectionPage(int limit, int offset, String channel) {

    /** @throws IllegalArgumentException naming the parameter that is not a whole number in range */
    static ConnectionPage from(QueryString query, int defaultLimit, int maxLimit) {
        return new ConnectionPage(query.intParam("limit", defaultLimit, maxLimit),
                query.intParam("offset", 0, Integer.MAX_VALUE),
                query.first("channel").filter(channel -> !channel.isEmpty()).orElse(null));
    }
}
